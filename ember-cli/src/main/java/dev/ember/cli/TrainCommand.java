package dev.ember.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ember.apps.recipes.Recipe;
import dev.ember.apps.recipes.RecipeOptions;
import dev.ember.apps.recipes.Recipes;
import dev.ember.core.Device;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code ember train RECIPE}: trains, shows progress, ends with one line of JSON. */
@Command(name = "train", description = "Train a recipe: mnist-mlp, mnist-cnn, fashion-cnn, brain-unet. "
        + "Prints progress and, last, one line of JSON with the final metrics.")
final class TrainCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "RECIPE", description = "the recipe to train")
    String recipe;

    @Option(names = "--epochs", description = "number of epochs (default: the recipe's)")
    Integer epochs;

    @Option(names = "--batch-size", description = "batch size (default: the recipe's)")
    Integer batchSize;

    @Option(names = "--lr", description = "learning rate (default: the recipe's)")
    Double lr;

    @Option(names = "--seed", defaultValue = "0", description = "random seed (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--device", description = "cpu, cuda or cuda:N (default: the best available)")
    String device;

    @Option(names = "--data", description = "folder with the recipe's data files")
    Path data;

    @Option(names = "--out", description = "output folder for model, logs, curves and checkpoints (default runs/RECIPE)")
    Path out;

    @Option(names = "--resume", description = "continue from the latest checkpoint in --out")
    boolean resume;

    @Option(names = "--limit", description = "train on the first N examples only (a quick trial)")
    Integer limit;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "a recipe-specific setting, e.g. --set width=16 for brain-unet")
    Map<String, String> settings;

    @Override
    public Integer call() throws Exception {
        Recipe r = Recipes.byName(recipe).withSettings(settings == null ? Map.of() : settings);
        Device d = device == null ? Device.best() : Device.parse(device);
        d.backend(); // fails early, with the reason, if the device is unusable
        System.err.println("ember train " + r.name() + ": " + r.description() + " on " + d);
        Map<String, Object> result = r.run(new RecipeOptions(epochs, batchSize, lr, seed, d, data, out, resume, limit, null));
        System.out.println(new ObjectMapper().writeValueAsString(result));
        return 0;
    }
}
