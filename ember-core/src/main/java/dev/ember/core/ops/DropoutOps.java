package dev.ember.core.ops;

import dev.ember.core.DType;
import dev.ember.core.Tensor;
import dev.ember.core.random.Generator;

/**
 * Inverted dropout: in training, each element is zeroed with probability {@code p} and the
 * survivors are scaled by {@code 1 / (1 - p)}, so evaluation needs no rescaling. Written with
 * ops: the mask comes from a seeded uniform draw on the input's device, and the gradient is
 * the same mask times {@code 1 / (1 - p)}.
 *
 * <pre>{@code
 * Tensor h = DropoutOps.dropout(x, 0.1, model.isTraining(), Generator.seeded(7));
 * }</pre>
 */
public final class DropoutOps {

    private DropoutOps() {}

    /**
     * @param p        probability of zeroing an element, in [0, 1)
     * @param training when false (evaluation), returns {@code x} unchanged
     * @param gen      source of the mask; null means {@link Generator#global()}
     */
    public static Tensor dropout(Tensor x, double p, boolean training, Generator gen) {
        if (!(p >= 0 && p < 1)) {
            throw new IllegalArgumentException("dropout: probability p must be in [0, 1), got " + p);
        }
        if (!training || p == 0) return x;
        if (!x.dtype().isFloating()) {
            throw new IllegalArgumentException("dropout: expected a floating tensor, got " + x.dtype() + " of shape "
                    + java.util.Arrays.toString(x.shape()));
        }
        Generator g = gen == null ? Generator.global() : gen;
        DType drawType = x.dtype() == DType.F64 ? DType.F64 : DType.F32;
        Tensor u = Tensor.rand(g, drawType, x.device(), x.shape());
        Tensor scale = u.ge(p).to(x.dtype()).mul(1 / (1 - p));
        return x.mul(scale);
    }
}
