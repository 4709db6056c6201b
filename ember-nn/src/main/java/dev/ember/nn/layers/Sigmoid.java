package dev.ember.nn.layers;

import dev.ember.core.Tensor;
import dev.ember.nn.Module;

/**
 * {@code 1 / (1 + exp(-x))} elementwise, as PyTorch's {@code nn.Sigmoid}.
 *
 * <pre>{@code
 * Tensor y = new Sigmoid().forward(x);
 * }</pre>
 */
public class Sigmoid extends Module {

    @Override
    public Tensor forward(Tensor x) { return x.sigmoid(); }
}
