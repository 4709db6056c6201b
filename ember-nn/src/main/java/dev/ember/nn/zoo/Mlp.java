package dev.ember.nn.zoo;

import dev.ember.core.random.Generator;
import dev.ember.nn.layers.Linear;
import dev.ember.nn.layers.ReLU;
import dev.ember.nn.layers.Sequential;

/**
 * A multilayer perceptron: Linear layers of the given sizes with ReLU between them (none after
 * the last). It is a {@link Sequential}, so its state-dict names ({@code 0.weight},
 * {@code 2.weight}, ...) match the equivalent {@code nn.Sequential}.
 *
 * <pre>{@code
 * Mlp mlp = new Mlp(784, 256, 10);   // Linear(784, 256), ReLU, Linear(256, 10)
 * Tensor logits = mlp.forward(x);
 * }</pre>
 */
public class Mlp extends Sequential {

    public Mlp(int... sizes) { this(Generator.global(), sizes); }

    public Mlp(Generator gen, int... sizes) {
        if (sizes.length < 2) {
            throw new IllegalArgumentException("Mlp: needs at least an input and an output size, got " + java.util.Arrays.toString(sizes));
        }
        for (int i = 0; i + 1 < sizes.length; i++) {
            if (i > 0) add(new ReLU());
            add(new Linear(sizes[i], sizes[i + 1], true, gen));
        }
    }
}
