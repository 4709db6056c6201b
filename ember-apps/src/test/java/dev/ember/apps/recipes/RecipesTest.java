package dev.ember.apps.recipes;

import dev.ember.core.Device;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class RecipesTest {

    @Test
    void mnistMlpTrialRunLearnsAndWritesItsOutputs(@TempDir Path out) {
        Map<String, Object> r = Recipes.byName("mnist-mlp")
                .run(new RecipeOptions(1, 64, null, 0, Device.CPU, null, out, false, 3000, null));
        double acc = (Double) r.get("test_accuracy");
        assertTrue(acc > 0.85, "3,000 examples and one epoch reach well above chance on the 10,000 test images: " + r);
        assertEquals("cpu", r.get("device"));
        for (String f : new String[] {"model.safetensors", "best.safetensors", "metrics.csv", "loss.png", "checkpoints/latest"}) {
            assertTrue(Files.exists(out.resolve(f)), f);
        }
    }

    @Test
    void missingDataSaysWhatToPutWhere(@TempDir Path empty) {
        var e = assertThrows(IllegalArgumentException.class, () -> Recipes.byName("fashion-cnn")
                .run(new RecipeOptions(1, 64, null, 0, Device.CPU, empty, empty.resolve("out"), false, 100, null)));
        assertTrue(e.getMessage().contains("train-images-idx3-ubyte.gz") && e.getMessage().contains("--data"), e.getMessage());
        assertTrue(e.getMessage().contains(empty.toString()), e.getMessage());
    }

    @Test
    void unknownRecipeListsTheKnownOnes() {
        var e = assertThrows(IllegalArgumentException.class, () -> Recipes.byName("imagenet"));
        assertTrue(e.getMessage().contains("mnist-cnn"), e.getMessage());
    }
}
