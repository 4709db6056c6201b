package dev.ember.nn.layers;

import dev.ember.core.Tensor;
import dev.ember.nn.Module;

/**
 * {@code max(x, 0)} elementwise, as PyTorch's {@code nn.ReLU}.
 *
 * <pre>{@code
 * Tensor y = new ReLU().forward(x);
 * }</pre>
 */
public class ReLU extends Module {

    @Override
    public Tensor forward(Tensor x) { return x.relu(); }
}
