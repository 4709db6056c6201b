package dev.ember.nn.layers;

import dev.ember.core.Tensor;
import dev.ember.core.ops.ElementwiseOps;
import dev.ember.nn.Module;

/**
 * {@code log(1 + exp(beta * x)) / beta}, linear above {@code threshold} (defaults beta 1,
 * threshold 20), as PyTorch's {@code nn.Softplus}.
 *
 * <pre>{@code
 * Tensor y = new Softplus().forward(x);
 * }</pre>
 */
public class Softplus extends Module {

    private final double beta, threshold;

    public Softplus() { this(1, 20); }

    public Softplus(double beta, double threshold) {
        if (beta == 0) throw new IllegalArgumentException("Softplus: beta must not be 0");
        this.beta = beta;
        this.threshold = threshold;
    }

    @Override
    public Tensor forward(Tensor x) { return ElementwiseOps.softplus(x, beta, threshold); }
}
