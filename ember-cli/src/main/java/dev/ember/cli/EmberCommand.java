package dev.ember.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code ember} command: {@code ember devices}, {@code ember example linear}, ... */
@Command(name = "ember", mixinStandardHelpOptions = true, version = "ember 0.1.0",
        description = "Train and serve neural networks from Java, on NVIDIA GPUs and CPUs.",
        subcommands = {DevicesCommand.class, TrainCommand.class, SegmentCommand.class, BenchCommand.class, ExampleCommand.class, CommandLine.HelpCommand.class})
public final class EmberCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        int code = new CommandLine(new EmberCommand())
                .setExecutionExceptionHandler((ex, cmd, parsed) -> {
                    cmd.getErr().println("ember: " + ex.getMessage());
                    if (System.getenv("EMBER_DEBUG") != null) ex.printStackTrace(cmd.getErr());
                    return 1;
                })
                .execute(args);
        System.exit(code);
    }
}
