package dev.ember.nn.zoo;

import dev.ember.core.Tensor;
import dev.ember.core.ops.IndexingOps;
import dev.ember.core.random.Generator;
import dev.ember.nn.Module;
import dev.ember.nn.io.SafeTensors;
import dev.ember.nn.layers.Conv2d;
import dev.ember.nn.layers.Sequential;
import dev.ember.nn.layers.Upsample;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * U-Net whose encoder is a headless ResNet-18 ({@code encoder.*}, names as torchvision's
 * {@code resnet18}, so ImageNet weights exported from torchvision load with
 * {@link #loadEncoder}). The decoder upsamples bilinearly and at each level concatenates the
 * encoder feature of the same stride, then a {@link DoubleConv}: {@code up.0} (512 + 256 -> 256),
 * {@code up.1} (256 + 128 -> 128), {@code up.2} (128 + 64 -> 64), {@code up.3} (64 + 64 -> 64);
 * {@code head} upsamples to full size with DoubleConv(64 -> 32), and {@code outc} is a 1x1 conv.
 * Inputs of any size work (padded to a multiple of 32, output cropped back).
 *
 * <pre>{@code
 * ResNetUNet net = new ResNetUNet(3, 1);
 * net.loadEncoder(Path.of("resnet18.safetensors"));   // torchvision's ImageNet weights
 * Tensor mask = net.forward(images).sigmoid();        // [N, 1, H, W]
 * }</pre>
 */
public class ResNetUNet extends Module {

    private static final int[][] DECODER = {{512, 256, 256}, {256, 128, 128}, {128, 64, 64}, {64, 64, 64}};

    private final ResNet encoder;
    private final DoubleConv[] up = new DoubleConv[4];
    private final DoubleConv head;
    private final Conv2d outc;
    private final Upsample upsample = Upsample.scale(2, Upsample.Mode.BILINEAR, false);

    public ResNetUNet(int inChannels, int outChannels) { this(inChannels, outChannels, Generator.global()); }

    public ResNetUNet(int inChannels, int outChannels, Generator gen) {
        encoder = register("encoder", ResNet.resnet18(inChannels, 0, gen));
        Sequential ups = register("up", new Sequential());
        for (int i = 0; i < 4; i++) {
            up[i] = new DoubleConv(DECODER[i][0] + DECODER[i][1], DECODER[i][2], gen);
            ups.add(up[i]);
        }
        head = register("head", new DoubleConv(64, 32, gen));
        outc = register("outc", new Conv2d(32, outChannels, 1, 1, 0, true, gen));
    }

    public ResNet encoder() { return encoder; }

    @Override
    public Tensor forward(Tensor x) {
        if (x.dim() != 4) throw new IllegalArgumentException("ResNetUNet: expected input [N, C, H, W], got shape " + Arrays.toString(x.shape()));
        int h = x.shape(2), w = x.shape(3);
        ResNet.Features f = encoder.features(UNet.padToMultiple(x, 32));
        Tensor[] skips = {f.layer3(), f.layer2(), f.layer1(), f.stem()};
        Tensor y = f.layer4();
        for (int i = 0; i < 4; i++) y = up[i].forward(IndexingOps.cat(new Tensor[] {skips[i], upsample.forward(y)}, 1));
        y = head.forward(upsample.forward(y));
        return UNet.cropTo(outc.forward(y), h, w);
    }

    /**
     * Loads ResNet-18 weights into the encoder from a safetensors file written from torchvision
     * ({@code resnet18().state_dict()}, names with or without an {@code encoder.} prefix). The
     * classifier ({@code fc.*}) is ignored; every encoder tensor must be present with the
     * right shape, and nothing else may be in the file.
     */
    public void loadEncoder(Path file) throws IOException {
        Map<String, Tensor> state = new LinkedHashMap<>();
        for (var e : SafeTensors.load(file).entrySet()) {
            String name = e.getKey().startsWith("encoder.") ? e.getKey().substring("encoder.".length()) : e.getKey();
            if (name.startsWith("fc.")) continue;
            state.put(name, e.getValue());
        }
        encoder.loadStateDict(state, true);
    }
}
