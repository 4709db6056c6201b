package dev.ember.cpu;

import jdk.incubator.vector.FloatVector;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** What the CPU is, for {@code ember devices}: model name, threads, SIMD width. */
final class CpuInfo {

    private CpuInfo() {}

    static String modelName() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) return line.substring(line.indexOf(':') + 1).trim();
            }
        } catch (IOException | RuntimeException ignored) {
            // not Linux: fall through to the JVM's view
        }
        return System.getProperty("os.arch") + " CPU";
    }

    static int simdBits() { return FloatVector.SPECIES_PREFERRED.vectorBitSize(); }
}
