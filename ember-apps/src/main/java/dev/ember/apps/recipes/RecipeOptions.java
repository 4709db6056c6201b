package dev.ember.apps.recipes;

import dev.ember.core.Device;

import java.nio.file.Path;

/**
 * Options common to every recipe; null means "the recipe's default".
 *
 * @param data   the folder with the recipe's data files, or null for the default locations
 * @param out    where the model, logs, curves and checkpoints go
 * @param resume continue from the latest checkpoint in {@code out}
 * @param limit  use only the first {@code limit} training examples (a quick trial run), or null for all
 */
public record RecipeOptions(Integer epochs, Integer batchSize, Double lr, long seed, Device device, Path data, Path out,
                            boolean resume, Integer limit) {

    public int epochsOr(int d) { return epochs != null ? epochs : d; }

    public int batchSizeOr(int d) { return batchSize != null ? batchSize : d; }

    public double lrOr(double d) { return lr != null ? lr : d; }
}
