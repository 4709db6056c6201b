package dev.ember.apps.recipes;

import dev.ember.core.Device;

import java.nio.file.Path;
import java.util.Map;

/**
 * Options common to every recipe; null means "the recipe's default".
 *
 * @param data   the folder with the recipe's data files, or null for the default locations
 * @param out    where the model, logs, curves and checkpoints go
 * @param resume continue from the latest checkpoint in {@code out}
 * @param limit    use only the first {@code limit} training examples (a quick trial run), or null for all
 * @param settings recipe-specific settings ({@code --set KEY=VALUE}); a recipe rejects keys it does not know
 */
public record RecipeOptions(Integer epochs, Integer batchSize, Double lr, long seed, Device device, Path data, Path out,
                            boolean resume, Integer limit, Map<String, String> settings) {

    public RecipeOptions {
        settings = settings == null ? Map.of() : Map.copyOf(settings);
    }

    /** The same options without recipe-specific settings. */
    public RecipeOptions withoutSettings() {
        return new RecipeOptions(epochs, batchSize, lr, seed, device, data, out, resume, limit, Map.of());
    }


    public int epochsOr(int d) { return epochs != null ? epochs : d; }

    public int batchSizeOr(int d) { return batchSize != null ? batchSize : d; }

    public double lrOr(double d) { return lr != null ? lr : d; }
}
