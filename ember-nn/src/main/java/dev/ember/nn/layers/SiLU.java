package dev.ember.nn.layers;

import dev.ember.core.Tensor;
import dev.ember.nn.Module;

/**
 * {@code x * sigmoid(x)} elementwise (swish), as PyTorch's {@code nn.SiLU}.
 *
 * <pre>{@code
 * Tensor y = new SiLU().forward(x);
 * }</pre>
 */
public class SiLU extends Module {

    @Override
    public Tensor forward(Tensor x) { return x.silu(); }
}
