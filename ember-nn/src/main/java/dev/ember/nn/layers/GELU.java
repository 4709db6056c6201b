package dev.ember.nn.layers;

import dev.ember.core.Tensor;
import dev.ember.core.ops.ElementwiseOps;
import dev.ember.nn.Module;

/**
 * Gaussian error linear unit {@code x * Phi(x)}, exact (erf) by default or with the tanh
 * approximation, as PyTorch's {@code nn.GELU(approximate='none' | 'tanh')}.
 *
 * <pre>{@code
 * Tensor y = new GELU().forward(x);
 * Tensor z = new GELU(true).forward(x);   // tanh approximation
 * }</pre>
 */
public class GELU extends Module {

    private final boolean tanhApproximation;

    public GELU() { this(false); }

    public GELU(boolean tanhApproximation) { this.tanhApproximation = tanhApproximation; }

    @Override
    public Tensor forward(Tensor x) { return ElementwiseOps.gelu(x, tanhApproximation); }
}
