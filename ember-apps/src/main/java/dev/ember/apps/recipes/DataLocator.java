package dev.ember.apps.recipes;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Finds a recipe's data folder: {@code --data} first, then {@code $EMBER_DATA/<name>}, then
 * {@code datasets/<name>} in the working directory and its parents (a checkout of Ember ships
 * MNIST there), then {@code shared/datasets/<name>} beside them. When nothing fits, the error
 * says which files to put where.
 */
public final class DataLocator {

    private DataLocator() {}

    public static Path find(String name, Path explicit, String... requiredFiles) {
        Set<Path> tried = new LinkedHashSet<>();
        if (explicit != null) {
            // --data may name the dataset folder itself or a folder holding it
            for (Path c : List.of(explicit, explicit.resolve(name))) {
                if (hasAll(c, requiredFiles)) return c;
                tried.add(c.toAbsolutePath().normalize());
            }
            throw missing(name, tried, requiredFiles);
        }
        List<Path> candidates = new ArrayList<>();
        String env = System.getenv("EMBER_DATA");
        if (env != null && !env.isBlank()) candidates.add(Path.of(env).resolve(name));
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            candidates.add(dir.resolve("datasets").resolve(name));
            candidates.add(dir.resolve("shared").resolve("datasets").resolve(name));
        }
        for (Path c : candidates) {
            if (hasAll(c, requiredFiles)) return c;
            tried.add(c.toAbsolutePath().normalize());
        }
        throw missing(name, tried, requiredFiles);
    }

    private static boolean hasAll(Path dir, String[] files) {
        if (!Files.isDirectory(dir)) return false;
        for (String f : files) if (!Files.isRegularFile(dir.resolve(f))) return false;
        return true;
    }

    private static IllegalArgumentException missing(String name, Set<Path> tried, String[] files) {
        return new IllegalArgumentException("the " + name + " data was not found. Put these files in one folder and pass it with --data DIR"
                + " (or set EMBER_DATA to a folder holding '" + name + "/'):\n  " + String.join("\n  ", files)
                + "\nLooked in:\n  " + String.join("\n  ", tried.stream().limit(12).map(Path::toString).toList()));
    }
}
