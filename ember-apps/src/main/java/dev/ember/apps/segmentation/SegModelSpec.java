package dev.ember.apps.segmentation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ember.core.random.Generator;
import dev.ember.nn.Module;
import dev.ember.nn.zoo.ResNetUNet;
import dev.ember.nn.zoo.UNet;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;

/**
 * What {@code model.json} says about a segmentation model, enough to rebuild it and to prepare
 * its input: the architecture, its size, and the resolution slices are resampled to. Slices are
 * normalised per slice (zero mean, unit variance over the whole slice) at their native
 * resolution, area-averaged to {@code inputHeight x inputWidth}, and the model's one-channel
 * logits are resized bilinearly back to the native size and thresholded at 0 (probability 0.5).
 * With {@code flipAverage}, the logits are the mean of the slice's and of its left-right mirror's
 * (mirrored back), a test-time augmentation that costs a second forward pass.
 *
 * <pre>{@code
 * SegModelSpec spec = SegModelSpec.unet(3, 16, 112, 96);
 * Module net = spec.build(Generator.seeded(0));
 * spec.write(Path.of("runs/brain-unet/model.json"), Map.of("which_model", "best on validation"));
 * }</pre>
 *
 * @param architecture {@code "unet"} (the zoo's {@link UNet}, bilinear upsampling) or
 *                     {@code "resnet18-unet"} ({@link ResNetUNet}, one input channel)
 * @param depth        U-Net levels below the top (ignored for resnet18-unet)
 * @param baseWidth    channels at the top level, doubling per level (ignored for resnet18-unet)
 * @param inputHeight  rows of the model's input (the native slice is resampled to this)
 * @param inputWidth   columns of the model's input
 * @param flipAverage  average the logits of each slice and of its left-right mirror
 */
public record SegModelSpec(String architecture, int depth, int baseWidth, int inputHeight, int inputWidth, boolean flipAverage) {

    public static final String UNET = "unet", RESNET18_UNET = "resnet18-unet";
    public static final String FORMAT = "ember-segmentation-1";

    public SegModelSpec {
        if (!UNET.equals(architecture) && !RESNET18_UNET.equals(architecture)) {
            throw new IllegalArgumentException("SegModelSpec: unknown architecture '" + architecture + "' (known: unet, resnet18-unet)");
        }
        if (inputHeight < 8 || inputWidth < 8) {
            throw new IllegalArgumentException("SegModelSpec: input size " + inputHeight + "x" + inputWidth + " must be at least 8x8");
        }
        if (UNET.equals(architecture) && (depth < 1 || depth > 6 || baseWidth < 1)) {
            throw new IllegalArgumentException("SegModelSpec: unet depth " + depth + " must be in 1..6 and base width " + baseWidth + " positive");
        }
    }

    /** A U-Net of {@code depth} levels with {@code baseWidth} channels at the top, on {@code h x w} inputs. */
    public static SegModelSpec unet(int depth, int baseWidth, int h, int w) { return new SegModelSpec(UNET, depth, baseWidth, h, w, false); }

    /** The U-Net with a ResNet-18 encoder, on {@code h x w} inputs. */
    public static SegModelSpec resnet18(int h, int w) { return new SegModelSpec(RESNET18_UNET, 5, 64, h, w, false); }

    /** This spec with flip averaging at inference switched on or off. */
    public SegModelSpec withFlipAverage(boolean on) { return new SegModelSpec(architecture, depth, baseWidth, inputHeight, inputWidth, on); }

    /** A freshly initialised model: one input channel (the slice), one output channel (brain logits). */
    public Module build(Generator gen) {
        return UNET.equals(architecture) ? new UNet(1, 1, depth, baseWidth, true, gen) : new ResNetUNet(1, 1, gen);
    }

    /** Writes {@code model.json}: this spec plus {@code extra} fields (which model was kept, the training data, ...). */
    public void write(Path file, Map<String, ?> extra) throws IOException {
        ObjectMapper om = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode n = om.createObjectNode();
        n.put("format", FORMAT);
        n.put("architecture", architecture);
        n.put("depth", depth);
        n.put("base_width", baseWidth);
        n.put("input_height", inputHeight);
        n.put("input_width", inputWidth);
        n.put("in_channels", 1);
        n.put("out_channels", 1);
        n.put("normalization", "per slice: (x - mean) / std over the whole native slice");
        n.put("resampling", "area average to input size; logits resized bilinearly to the native size");
        n.put("flip_average", flipAverage);
        n.put("threshold", flipAverage ? "mean logit of the slice and its left-right mirror > 0" : "logit > 0 (probability > 0.5)");
        n.put("weights", "model.safetensors");
        extra.forEach((k, v) -> n.set(k, om.valueToTree(v)));
        Files.createDirectories(file.toAbsolutePath().getParent());
        om.writeValue(file.toFile(), n);
    }

    /** Reads {@code model.json}, with an error naming the file and the field when something is missing or wrong. */
    public static SegModelSpec read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) throw new NoSuchFileException(file.toString(), null, "model description not found");
        JsonNode n;
        try {
            n = new ObjectMapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new IOException(file + ": not valid JSON: " + e.getMessage(), e);
        }
        if (n == null || !FORMAT.equals(n.path("format").asText())) {
            throw new IOException(file + ": not an Ember segmentation model description (expected \"format\": \"" + FORMAT + "\")");
        }
        try {
            return new SegModelSpec(text(file, n, "architecture"), n.path("depth").asInt(0), n.path("base_width").asInt(0),
                    integer(file, n, "input_height"), integer(file, n, "input_width"), n.path("flip_average").asBoolean(false));
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
    }

    private static String text(Path file, JsonNode n, String key) throws IOException {
        if (!n.path(key).isTextual()) throw new IOException(file + ": field \"" + key + "\" is missing or not a string");
        return n.get(key).asText();
    }

    private static int integer(Path file, JsonNode n, String key) throws IOException {
        if (!n.path(key).canConvertToInt()) throw new IOException(file + ": field \"" + key + "\" is missing or not an integer");
        return n.get(key).asInt();
    }
}
