package dev.ember.apps.segmentation;

import dev.ember.apps.recipes.RecipeOptions;
import dev.ember.apps.recipes.Recipes;
import dev.ember.core.Device;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** A short end-to-end run on the real scan: few slices, small resolution, one epoch. */
class BrainUNetRecipeTest {

    @TempDir
    Path tmp;

    @Test
    void registeredUnderItsName() {
        assertInstanceOf(BrainUNetRecipe.class, Recipes.byName("brain-unet"));
    }

    @Test
    void settingsParseAndReject() {
        var s = BrainUNetRecipe.Settings.parse(Map.of("size", "64x48", "width", "8", "depth", "2"));
        assertEquals(SegModelSpec.unet(2, 8, 64, 48), s.spec());
        var e = assertThrows(IllegalArgumentException.class, () -> BrainUNetRecipe.Settings.parse(Map.of("colour", "red")));
        assertTrue(e.getMessage().contains("unknown setting 'colour'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> BrainUNetRecipe.Settings.parse(Map.of("encoder-weights", "r.safetensors")));
        assertTrue(e.getMessage().contains("architecture=resnet18-unet"), e.getMessage());

        s = BrainUNetRecipe.Settings.parse(Map.of("keep", "best", "flip-average", "false", "rotation", "3", "scale", "0",
                "epochs", "7", "batch", "2", "lr", "1e-3", "warmup", "2"));
        assertFalse(s.keepLast());
        assertFalse(s.spec().flipAverage());
        assertEquals(3.0, s.rotation());
        assertEquals(0.0, s.scale());
        assertEquals(List.of(7, 2, 2), List.of(s.epochs(), s.batchSize(), s.warmupEpochs()));
        assertEquals(1e-3, s.lr());
        assertTrue(BrainUNetRecipe.Settings.parse(Map.of("keep", "last", "flip-average", "true")).spec().flipAverage());
        e = assertThrows(IllegalArgumentException.class, () -> BrainUNetRecipe.Settings.parse(Map.of("keep", "middle")));
        assertTrue(e.getMessage().contains("keep=middle") && e.getMessage().contains("best or last"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> BrainUNetRecipe.Settings.parse(Map.of("flip-average", "yes")));
        assertTrue(e.getMessage().contains("flip-average=yes"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> BrainUNetRecipe.Settings.parse(Map.of("epochs", "3", "warmup", "3")));
        assertTrue(e.getMessage().contains("warm-up epochs < epochs"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> BrainUNetRecipe.Settings.parse(Map.of("scale", "1.5")));
        assertTrue(e.getMessage().contains("scale 1.5"), e.getMessage());
    }

    @Test
    void shortRunWritesEveryOutput() throws Exception {
        var settings = new BrainUNetRecipe.Settings(SegModelSpec.UNET, 1, 4, 32, 32, null, true, 10, 0.1, 3, 4, 1, 4, 3e-3, 0, false, false);
        Path out = tmp.resolve("run");
        Map<String, Object> r = new BrainUNetRecipe(settings).run(new RecipeOptions(1, 4, null, 0, Device.CPU, null, out, false, null, null));
        for (String f : List.of("model.safetensors", "model.json", "best.safetensors", "last.safetensors", "metrics.csv", "metrics.jsonl", "loss.png",
                "overlays.png", "test_slices.csv")) {
            assertTrue(Files.isRegularFile(out.resolve(f)), f + " is written; found " + list(out));
        }
        for (String k : List.of("test_dice", "test_iou", "test_dice_mean_per_slice", "test_dice_worst_slice", "test_worst_slice_z",
                "which_model", "seconds")) {
            assertTrue(r.containsKey(k), k + " in " + r.keySet());
        }
        double dice = (Double) r.get("test_dice");
        assertTrue(dice >= 0 && dice <= 1, "dice " + dice);
        assertTrue(r.get("which_model").toString().startsWith("best on validation"), r.get("which_model").toString());
        assertEquals(4, r.get("test_slices"));
        assertEquals(5, Files.readAllLines(out.resolve("test_slices.csv")).size());
        BufferedImage png = ImageIO.read(out.resolve("overlays.png").toFile());
        assertTrue(png.getWidth() >= 4 * 181 && png.getHeight() >= 3 * 217, png.getWidth() + "x" + png.getHeight());
        // the kept model reloads from the folder alone
        Segmenter s = Segmenter.load(out, Device.CPU);
        assertEquals(settings.spec(), s.spec());
    }

    @Test
    void resnetEncoderWeightsLoadWithTheRgbStemSummedToGrey() throws Exception {
        // torchvision-style names and shapes: a 3-channel stem and a classifier that is ignored
        var rgb = dev.ember.nn.zoo.ResNet.resnet18(3, 1000, dev.ember.core.random.Generator.seeded(1));
        Path file = tmp.resolve("resnet18.safetensors");
        dev.ember.nn.io.SafeTensors.save(rgb.stateDict(), file, Map.of());
        var net = (dev.ember.nn.zoo.ResNetUNet) SegModelSpec.resnet18(64, 64).build(dev.ember.core.random.Generator.seeded(2));
        BrainUNetRecipe.loadEncoder(net, file);
        var state = net.stateDict();
        assertArrayEquals(rgb.stateDict().get("conv1.weight").sum(1, true).toFloatArray(), state.get("encoder.conv1.weight").toFloatArray(), 1e-6f);
        assertArrayEquals(rgb.stateDict().get("layer4.1.conv2.weight").toFloatArray(), state.get("encoder.layer4.1.conv2.weight").toFloatArray());

        Path wrong = tmp.resolve("wrong.safetensors");
        dev.ember.nn.io.SafeTensors.save(Map.of("conv1.weight", dev.ember.core.Tensor.zeros(8, 3, 3, 3)), wrong, Map.of());
        var e = assertThrows(IllegalArgumentException.class, () -> BrainUNetRecipe.loadEncoder(net, wrong));
        assertTrue(e.getMessage().contains("does not hold ResNet-18 weights"), e.getMessage());
    }

    private static String list(Path dir) throws Exception {
        try (var s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList().toString();
        }
    }
}
