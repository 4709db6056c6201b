package dev.ember.nn.layers;

import dev.ember.core.Tensor;
import dev.ember.core.ops.DropoutOps;
import dev.ember.core.random.Generator;
import dev.ember.nn.Module;

/**
 * Inverted dropout: in training, zeroes each element with probability {@code p} and scales
 * the rest by {@code 1 / (1 - p)}; in evaluation, the identity. As PyTorch's {@code nn.Dropout}.
 *
 * <pre>{@code
 * Dropout drop = new Dropout(0.5, Generator.seeded(3));
 * Tensor y = drop.forward(x);          // training mode: masked
 * drop.eval(); y = drop.forward(x);    // identity
 * }</pre>
 */
public class Dropout extends Module {

    private final double p;
    private final Generator gen;

    public Dropout(double p) { this(p, Generator.global()); }

    /** @param gen the source of the masks */
    public Dropout(double p, Generator gen) {
        if (!(p >= 0 && p < 1)) throw new IllegalArgumentException("Dropout: probability p must be in [0, 1), got " + p);
        this.p = p;
        this.gen = gen;
    }

    @Override
    public Tensor forward(Tensor x) { return DropoutOps.dropout(x, p, isTraining(), gen); }

    public double p() { return p; }
}
