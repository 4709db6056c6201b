package dev.ember.nn.layers;

import dev.ember.core.Tensor;
import dev.ember.nn.Module;

/**
 * Hyperbolic tangent elementwise, as PyTorch's {@code nn.Tanh}.
 *
 * <pre>{@code
 * Tensor y = new Tanh().forward(x);
 * }</pre>
 */
public class Tanh extends Module {

    @Override
    public Tensor forward(Tensor x) { return x.tanh(); }
}
