package dev.ember.nn.zoo;

import dev.ember.core.Tensor;
import dev.ember.core.random.Generator;
import dev.ember.nn.Init;
import dev.ember.nn.Module;
import dev.ember.nn.layers.AdaptiveAvgPool2d;
import dev.ember.nn.layers.BatchNorm2d;
import dev.ember.nn.layers.Conv2d;
import dev.ember.nn.layers.Linear;
import dev.ember.nn.layers.MaxPool2d;
import dev.ember.nn.layers.Sequential;

import java.util.Arrays;

/**
 * ResNet with basic blocks (ResNet-18 and -34), with torchvision's structure, initialisation
 * (Kaiming normal, fan out, for convolutions; BN weight 1, bias 0) and state-dict names
 * ({@code conv1}, {@code bn1}, {@code layer1.0.conv1}, {@code layer2.0.downsample.0}, {@code fc}),
 * so torchvision weights exported to safetensors load into it. Any number of input channels
 * and classes; {@code numClasses = 0} builds a headless network (no {@code fc}) for use as an
 * encoder.
 *
 * <pre>{@code
 * ResNet net = ResNet.resnet18(3, 1000);
 * SafeTensors.loadModule(net, Path.of("resnet18.safetensors"), true);
 * Tensor logits = net.eval().forward(images);   // [N, 1000]
 * }</pre>
 */
public class ResNet extends Module {

    private final int inChannels, numClasses;
    private final Conv2d conv1;
    private final BatchNorm2d bn1;
    private final MaxPool2d maxpool;
    private final Sequential[] layers = new Sequential[4];
    private final AdaptiveAvgPool2d avgpool;
    private final Linear fc;

    /** The stem and the four stages' outputs, for encoders and feature pyramids. */
    public record Features(Tensor stem, Tensor layer1, Tensor layer2, Tensor layer3, Tensor layer4) {}

    public ResNet(int[] blocksPerStage, int inChannels, int numClasses, Generator gen) {
        if (blocksPerStage.length != 4) {
            throw new IllegalArgumentException("ResNet: expected 4 stage sizes, got " + Arrays.toString(blocksPerStage));
        }
        if (inChannels <= 0 || numClasses < 0) {
            throw new IllegalArgumentException("ResNet: inChannels " + inChannels + " must be positive and numClasses " + numClasses + " >= 0");
        }
        this.inChannels = inChannels;
        this.numClasses = numClasses;
        conv1 = register("conv1", new Conv2d(inChannels, 64, 7, 2, 3, false, gen));
        bn1 = register("bn1", new BatchNorm2d(64));
        maxpool = register("maxpool", new MaxPool2d(3, 2, 1));
        int inPlanes = 64;
        for (int s = 0; s < 4; s++) {
            int planes = 64 << s;
            Sequential stage = new Sequential();
            for (int b = 0; b < blocksPerStage[s]; b++) {
                stage.add(new BasicBlock(inPlanes, planes, b == 0 && s > 0 ? 2 : 1, gen));
                inPlanes = planes;
            }
            layers[s] = register("layer" + (s + 1), stage);
        }
        if (numClasses > 0) {
            avgpool = register("avgpool", new AdaptiveAvgPool2d(1, 1));
            fc = register("fc", new Linear(512, numClasses, true, gen));
        } else {
            avgpool = null;
            fc = null;
        }
        // torchvision re-initialises every convolution after construction; Linear keeps its default
        apply(m -> {
            if (m instanceof Conv2d c) Init.kaimingNormal(c.weight().data(), 0, Init.FanMode.FAN_OUT, Init.Nonlinearity.RELU, gen);
        });
    }

    /** ResNet-18: stages of 2, 2, 2, 2 basic blocks. */
    public static ResNet resnet18(int inChannels, int numClasses) { return resnet18(inChannels, numClasses, Generator.global()); }

    public static ResNet resnet18(int inChannels, int numClasses, Generator gen) {
        return new ResNet(new int[] {2, 2, 2, 2}, inChannels, numClasses, gen);
    }

    /** ResNet-34: stages of 3, 4, 6, 3 basic blocks. */
    public static ResNet resnet34(int inChannels, int numClasses) { return resnet34(inChannels, numClasses, Generator.global()); }

    public static ResNet resnet34(int inChannels, int numClasses, Generator gen) {
        return new ResNet(new int[] {3, 4, 6, 3}, inChannels, numClasses, gen);
    }

    /** The intermediate feature maps, at strides 2, 4, 8, 16 and 32. */
    public Features features(Tensor x) {
        if (x.dim() != 4 || x.shape(1) != inChannels) {
            throw new IllegalArgumentException("ResNet: expected input [N, " + inChannels + ", H, W], got shape " + Arrays.toString(x.shape()));
        }
        Tensor stem = bn1.forward(conv1.forward(x)).relu();
        Tensor l1 = layers[0].forward(maxpool.forward(stem));
        Tensor l2 = layers[1].forward(l1);
        Tensor l3 = layers[2].forward(l2);
        Tensor l4 = layers[3].forward(l3);
        return new Features(stem, l1, l2, l3, l4);
    }

    /** Logits {@code [N, numClasses]}, or the pooled 512 features when headless. */
    @Override
    public Tensor forward(Tensor x) {
        Tensor f = features(x).layer4();
        if (fc == null) return f.mean(new int[] {2, 3}, false);
        return fc.forward(avgpool.forward(f).flatten(1, -1));
    }

    public int numClasses() { return numClasses; }
}
