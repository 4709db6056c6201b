package dev.ember.train.trainer;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.ember.core.Tensor;
import dev.ember.nn.Module;
import dev.ember.nn.io.SafeTensors;
import dev.ember.train.optim.Optimizer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Checkpoints under a folder: each one a directory {@code step-<N>} holding
 * {@code model.safetensors}, {@code optimizer.safetensors} and {@code state.json}; a file
 * {@code latest} names the newest complete one. A checkpoint is written into a temporary
 * directory, flushed, and renamed into place before {@code latest} is replaced atomically, so a
 * crash at any moment leaves the previous checkpoint as the latest, never a broken one.
 */
public final class Checkpoints {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Path root;
    private final int keep;

    /** Keeps the newest {@code keep} checkpoints under {@code root}. */
    public Checkpoints(Path root, int keep) {
        this.root = root;
        this.keep = Math.max(1, keep);
    }

    public Path root() { return root; }

    public Path write(Module model, Optimizer optimizer, TrainerState state) {
        try {
            Files.createDirectories(root);
            String name = "step-" + state.globalStep;
            Path tmp = Files.createTempDirectory(root, ".writing-" + name + "-");
            SafeTensors.save(model.stateDict(), tmp.resolve("model.safetensors"), Map.of("format", "pt"));
            SafeTensors.save(optimizer.stateDict(), tmp.resolve("optimizer.safetensors"), Map.of());
            state.optimizerHyperparameters = optimizer.hyperparameters();
            Files.write(tmp.resolve("state.json"), JSON.writeValueAsBytes(state));
            Path dir = root.resolve(name);
            if (Files.exists(dir)) deleteTree(dir);
            move(tmp, dir);
            Path latestTmp = root.resolve(".latest.tmp");
            Files.writeString(latestTmp, name + "\n");
            move(latestTmp, root.resolve("latest"));
            prune(name);
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("could not write a checkpoint under " + root + ": " + e.getMessage(), e);
        }
    }

    /** The newest complete checkpoint, or null if there is none. */
    public Path latest() {
        Path f = root.resolve("latest");
        if (!Files.isRegularFile(f)) return null;
        try {
            Path dir = root.resolve(Files.readString(f).trim());
            return Files.isDirectory(dir) ? dir : null;
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + f + ": " + e.getMessage(), e);
        }
    }

    /** Loads weights and optimizer state into the given objects and returns the run's state. */
    public static TrainerState read(Path dir, Module model, Optimizer optimizer) {
        try {
            TrainerState st = JSON.readValue(dir.resolve("state.json").toFile(), TrainerState.class);
            Map<String, Tensor> weights = SafeTensors.load(dir.resolve("model.safetensors"));
            model.loadStateDict(weights, true);
            optimizer.loadStateDict(SafeTensors.load(dir.resolve("optimizer.safetensors")));
            optimizer.loadHyperparameters(st.optimizerHyperparameters);
            return st;
        } catch (IOException e) {
            throw new UncheckedIOException("could not read checkpoint " + dir + ": " + e.getMessage(), e);
        }
    }

    private void prune(String newest) throws IOException {
        try (Stream<Path> s = Files.list(root)) {
            var dirs = s.filter(p -> p.getFileName().toString().startsWith("step-") && Files.isDirectory(p))
                    .sorted(Comparator.comparingLong(Checkpoints::stepOf).reversed()).toList();
            for (int i = keep; i < dirs.size(); i++) {
                if (!dirs.get(i).getFileName().toString().equals(newest)) deleteTree(dirs.get(i));
            }
        }
    }

    private static long stepOf(Path p) {
        try {
            return Long.parseLong(p.getFileName().toString().substring(5));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }
}
