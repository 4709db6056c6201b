package dev.ember.cli;

import picocli.CommandLine.Command;

/** Small worked examples. */
@Command(name = "example", description = "Run a worked example.", subcommands = {LinearExample.class})
final class ExampleCommand implements Runnable {
    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }
}
