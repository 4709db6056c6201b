package dev.ember.core.ops;

import dev.ember.core.Tensor;

/** Matrix products. */
public final class LinalgOps {

    private LinalgOps() {}

    // PENDING: implemented by the linear-algebra work
    public static Tensor matmul(Tensor a, Tensor b) { throw new UnsupportedOperationException("matmul: pending"); }
}
