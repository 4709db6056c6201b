package dev.ember.train.io;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Finds the project's shared real-data folder: the system property or environment variable
 * EMBER_DATASETS if set, else the first {@code shared/datasets} found walking up from the
 * working directory. Absence is a test failure, never a skip, so a broken checkout is noticed.
 */
final class SharedDatasets {
    private SharedDatasets() {}

    static Path dir() {
        String configured = System.getProperty("EMBER_DATASETS", System.getenv("EMBER_DATASETS"));
        if (configured != null && !configured.isBlank()) {
            Path p = Path.of(configured);
            if (!Files.isDirectory(p)) throw new AssertionError("EMBER_DATASETS=" + configured + " is not a directory");
            return p;
        }
        Path start = Path.of("").toAbsolutePath();
        for (Path p = start; p != null; p = p.getParent()) {
            Path candidate = p.resolve("shared").resolve("datasets");
            if (Files.isDirectory(candidate)) return candidate;
        }
        throw new AssertionError("no shared/datasets folder above " + start
                + "; set the system property or environment variable EMBER_DATASETS to the datasets folder");
    }

    static Path file(String relative) {
        Path p = dir().resolve(relative);
        if (!Files.exists(p)) throw new AssertionError("dataset file " + p + " is missing");
        return p;
    }
}
