package dev.ember.nn.layers;

import dev.ember.core.Tensor;
import dev.ember.nn.Module;

/**
 * {@code x} where positive, {@code negativeSlope * x} elsewhere (default slope 0.01), as
 * PyTorch's {@code nn.LeakyReLU}.
 *
 * <pre>{@code
 * Tensor y = new LeakyReLU(0.2).forward(x);
 * }</pre>
 */
public class LeakyReLU extends Module {

    private final double negativeSlope;

    public LeakyReLU() { this(0.01); }

    public LeakyReLU(double negativeSlope) { this.negativeSlope = negativeSlope; }

    @Override
    public Tensor forward(Tensor x) { return x.leakyRelu(negativeSlope); }
}
