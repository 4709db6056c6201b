package dev.ember.bench;

import dev.ember.core.random.Generator;
import dev.ember.nn.zoo.ResNet;

/**
 * Models that several engines run, built one way so that their weights are identical: ONNX
 * Runtime runs the very network Ember times, exported from it.
 *
 * <pre>{@code
 * ResNet net = BenchModels.w5ResNet18();   // same weights on every call
 * }</pre>
 */
public final class BenchModels {

    private BenchModels() {}

    /** W5's ResNet-18 (3 input channels, 10 classes), weights drawn from {@code Generator.seeded(0)}. */
    public static ResNet w5ResNet18() { return ResNet.resnet18(3, 10, Generator.seeded(0)); }
}
