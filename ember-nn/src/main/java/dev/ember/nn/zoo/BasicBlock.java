package dev.ember.nn.zoo;

import dev.ember.core.Tensor;
import dev.ember.core.random.Generator;
import dev.ember.nn.Module;
import dev.ember.nn.layers.BatchNorm2d;
import dev.ember.nn.layers.Conv2d;
import dev.ember.nn.layers.Sequential;

/**
 * The ResNet-18/34 residual block: conv3x3 - BN - ReLU - conv3x3 - BN, plus the input (through
 * a 1x1 strided conv and BN, named {@code downsample.0} and {@code downsample.1}, when the
 * shape changes), then ReLU. Names match torchvision's {@code BasicBlock}.
 *
 * <pre>{@code
 * BasicBlock b = new BasicBlock(64, 128, 2, Generator.seeded(0));   // halves H and W
 * }</pre>
 */
public class BasicBlock extends Module {

    private final Conv2d conv1, conv2;
    private final BatchNorm2d bn1, bn2;
    private final Sequential downsample;

    public BasicBlock(int inPlanes, int planes, int stride, Generator gen) {
        conv1 = register("conv1", new Conv2d(inPlanes, planes, 3, stride, 1, false, gen));
        bn1 = register("bn1", new BatchNorm2d(planes));
        conv2 = register("conv2", new Conv2d(planes, planes, 3, 1, 1, false, gen));
        bn2 = register("bn2", new BatchNorm2d(planes));
        downsample = stride != 1 || inPlanes != planes
                ? register("downsample", new Sequential(new Conv2d(inPlanes, planes, 1, stride, 0, false, gen), new BatchNorm2d(planes)))
                : null;
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor identity = downsample == null ? x : downsample.forward(x);
        Tensor out = bn1.forward(conv1.forward(x)).relu();
        out = bn2.forward(conv2.forward(out));
        return out.add(identity).relu();
    }
}
