package dev.ember.cli;

import dev.ember.core.backend.Backend;
import dev.ember.core.backend.Backends;
import dev.ember.core.backend.DeviceInfo;
import picocli.CommandLine.Command;

import java.io.PrintStream;

/** One line per device: the CPU and each CUDA GPU, or why there is none. */
@Command(name = "devices", description = "List the devices Ember can use.")
final class DevicesCommand implements Runnable {

    @Override
    public void run() { print(System.out); }

    static void print(PrintStream out) {
        for (Backend b : Backends.all()) {
            if (!b.isAvailable()) {
                out.println(b.deviceType() + "  unavailable: " + b.unavailableReason());
                continue;
            }
            for (DeviceInfo d : b.devices()) out.println(d);
        }
        if (Backends.ofType("cuda") == null) {
            out.println("cuda  none: no CUDA backend installed (ember-cuda is not on the class path yet)");
        }
        for (String e : Backends.loadErrors()) out.println("error loading a backend: " + e);
    }
}
