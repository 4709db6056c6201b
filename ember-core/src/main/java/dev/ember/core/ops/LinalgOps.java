package dev.ember.core.ops;

import dev.ember.core.Tensor;
import dev.ember.core.dispatch.Dispatcher;

import java.util.Arrays;

/**
 * Matrix products: {@code matmul} with {@code torch.matmul} semantics and {@code linear}.
 * The primitive is a batched product of operands of rank 2 or more whose batch dimensions
 * broadcast; kernels take any strides, so transposed views reach the GEMM without a copy.
 */
public final class LinalgOps {

    private LinalgOps() {}

    /** {@code [..., M, K] @ [..., K, N] -> [broadcast(...), M, N]}; both operands rank >= 2. */
    public static final Op<NoAttrs> MATMUL = new Op<>("matmul") {
        @Override
        public OutputSpec[] infer(Tensor[] in, NoAttrs attrs) {
            Tensor a = in[0], b = in[1];
            checkDTypes("matmul", a, b);
            int[] as = a.shape(), bs = b.shape();
            if (as.length < 2 || bs.length < 2) {
                throw new IllegalArgumentException("matmul: the batched product needs operands of rank >= 2, got shapes "
                        + Arrays.toString(as) + " and " + Arrays.toString(bs));
            }
            return new OutputSpec[] {new OutputSpec(productShape("matmul", as, bs), a.dtype())};
        }

        @Override
        public boolean acceptsStridedInputs() { return true; }

        @Override
        public Tensor[] vjp(VjpContext<NoAttrs> c) {
            Tensor a = c.input(0), b = c.input(1), g = c.grad(0);
            Tensor[] r = new Tensor[2];
            if (c.needsInputGrad(0)) {
                if (a.dim() == 2 && g.dim() > 2) {
                    // a was broadcast over the batch: contract the batch inside one product instead of summing copies
                    int m = a.shape(0), k = a.shape(1);
                    int n = g.shape(-1);
                    Tensor gm = g.reshape(-1, m, n).transpose(0, 1).reshape(m, -1);
                    Tensor bt = b.expand(batchExpanded(g, b)).reshape(-1, k, n).transpose(1, 2).reshape(-1, k);
                    r[0] = matmul(gm, bt);
                } else {
                    r[0] = ReductionOps.sumTo(matmul(g, b.transpose(-1, -2)), a.shape());
                }
            }
            if (c.needsInputGrad(1)) {
                if (b.dim() == 2 && g.dim() > 2) {
                    int k = b.shape(0), n = b.shape(1);
                    Tensor af = a.expand(batchExpanded(g, a)).reshape(-1, k);
                    r[1] = matmul(af.transpose(0, 1), g.reshape(-1, n));
                } else {
                    r[1] = ReductionOps.sumTo(matmul(a.transpose(-1, -2), g), b.shape());
                }
            }
            return r;
        }
    };

    /** {@code y = x @ weight^T + bias}; decomposes into matmul and add, and a backend may fuse it. */
    public static final CompositeOp<NoAttrs> LINEAR = new CompositeOp<>("linear") {
        @Override
        public OutputSpec[] infer(Tensor[] in, NoAttrs attrs) {
            Tensor x = in[0], w = in[1];
            checkDTypes("linear", x, w);
            if (w.dim() != 2) {
                throw new IllegalArgumentException("linear: weight must be 2-d [out, in], got shape " + Arrays.toString(w.shape()));
            }
            if (x.dim() < 1 || x.shape(-1) != w.shape(1)) {
                throw new IllegalArgumentException("linear: input of shape " + Arrays.toString(x.shape()) + " does not match weight of shape "
                        + Arrays.toString(w.shape()) + " (the input's last dimension must be " + w.shape(1) + ")");
            }
            if (in.length > 2) {
                Tensor b = in[2];
                if (b.dtype() != x.dtype()) {
                    throw new IllegalArgumentException("linear: bias has dtype " + b.dtype() + " but input has " + x.dtype());
                }
                if (b.dim() != 1 || b.shape(0) != w.shape(0)) {
                    throw new IllegalArgumentException("linear: bias of shape " + Arrays.toString(b.shape()) + " does not match weight of shape "
                            + Arrays.toString(w.shape()) + " (expected [" + w.shape(0) + "])");
                }
            }
            int[] ys = x.shape();
            ys[ys.length - 1] = w.shape(0);
            return new OutputSpec[] {new OutputSpec(ys, x.dtype())};
        }

        @Override
        public Tensor[] decompose(Tensor[] in, NoAttrs attrs) {
            infer(in, attrs);
            Tensor y = matmul(in[0], in[1].t());
            return new Tensor[] {in.length > 2 ? y.add(in[2]) : y};
        }

        @Override
        public Tensor[] vjp(VjpContext<NoAttrs> c) {
            Tensor x = c.input(0), w = c.input(1), g = c.grad(0);
            int out = w.shape(0), inF = w.shape(1);
            Tensor[] r = new Tensor[c.inputCount()];
            if (c.needsInputGrad(0)) r[0] = matmul(g, w);
            Tensor g2 = null;
            if (c.needsInputGrad(1) || (r.length > 2 && c.needsInputGrad(2))) g2 = g.reshape(-1, out);
            if (c.needsInputGrad(1)) r[1] = matmul(g2.t(), x.reshape(-1, inF));
            if (r.length > 2 && c.needsInputGrad(2)) r[2] = g2.sum(0, false);
            return r;
        }
    };

    // ---------------------------------------------------------------- functions

    /**
     * The matrix product with {@code torch.matmul} semantics: two 1-d operands give their dot
     * product (0-d); a 1-d first operand is treated as a row and a 1-d second operand as a
     * column, and that dimension is removed from the result; otherwise batch dimensions broadcast.
     *
     * <pre>{@code
     * Tensor y = LinalgOps.matmul(Tensor.ones(4, 2, 3), Tensor.ones(3, 5));   // [4, 2, 5]
     * }</pre>
     */
    public static Tensor matmul(Tensor a, Tensor b) {
        int[] as = a.shape(), bs = b.shape();
        if (as.length == 0 || bs.length == 0) {
            throw new IllegalArgumentException("matmul: both arguments need at least 1 dimension, got shapes "
                    + Arrays.toString(as) + " and " + Arrays.toString(bs));
        }
        checkDTypes("matmul", a, b);
        int ka = as[as.length - 1], kb = bs.length == 1 ? bs[0] : bs[bs.length - 2];
        if (ka != kb) {
            throw new IllegalArgumentException("matmul: shapes " + Arrays.toString(as) + " and " + Arrays.toString(bs)
                    + " cannot be multiplied (" + ka + " vs " + kb + " in the contracted dimension)");
        }
        boolean rowA = as.length == 1, colB = bs.length == 1;
        Tensor a2 = rowA ? a.unsqueeze(0) : a;
        Tensor b2 = colB ? b.unsqueeze(1) : b;
        Tensor y = Dispatcher.call1(MATMUL, NoAttrs.INSTANCE, a2, b2);
        if (colB) y = y.squeeze(-1);
        if (rowA) y = y.squeeze(colB ? -1 : -2);
        return y;
    }

    /**
     * {@code y = x @ weight^T + bias}: weight is {@code [out, in]}, bias {@code [out]} or null,
     * x is {@code [..., in]}.
     *
     * <pre>{@code
     * Tensor y = LinalgOps.linear(Tensor.ones(8, 784), Tensor.ones(10, 784), Tensor.zeros(10));   // [8, 10]
     * }</pre>
     */
    public static Tensor linear(Tensor x, Tensor weight, Tensor bias) {
        return bias == null
                ? Dispatcher.call1(LINEAR, NoAttrs.INSTANCE, x, weight)
                : Dispatcher.call1(LINEAR, NoAttrs.INSTANCE, x, weight, bias);
    }

    // ---------------------------------------------------------------- shape rules

    /** The shape of the batched product, with the error naming the op and both shapes. */
    static int[] productShape(String op, int[] as, int[] bs) {
        int m = as[as.length - 2], k = as[as.length - 1], kb = bs[bs.length - 2], n = bs[bs.length - 1];
        if (k != kb) {
            throw new IllegalArgumentException(op + ": shapes " + Arrays.toString(as) + " and " + Arrays.toString(bs)
                    + " cannot be multiplied (" + k + " vs " + kb + " in the contracted dimension)");
        }
        int[] ba = Arrays.copyOf(as, as.length - 2), bb = Arrays.copyOf(bs, bs.length - 2);
        int nb = Math.max(ba.length, bb.length);
        int[] out = new int[nb + 2];
        for (int i = 0; i < nb; i++) {
            int da = i - (nb - ba.length) >= 0 ? ba[i - (nb - ba.length)] : 1;
            int db = i - (nb - bb.length) >= 0 ? bb[i - (nb - bb.length)] : 1;
            if (da != db && da != 1 && db != 1) {
                throw new IllegalArgumentException(op + ": batch dimensions of shapes " + Arrays.toString(as) + " and "
                        + Arrays.toString(bs) + " cannot be broadcast together (" + da + " vs " + db + ")");
            }
            out[i] = da == 1 ? db : da;
        }
        out[nb] = m;
        out[nb + 1] = n;
        return out;
    }

    private static void checkDTypes(String op, Tensor a, Tensor b) {
        if (a.dtype() != b.dtype()) {
            throw new IllegalArgumentException(op + ": operands have different dtypes " + a.dtype() + " (shape " + Arrays.toString(a.shape())
                    + ") and " + b.dtype() + " (shape " + Arrays.toString(b.shape()) + "); convert one with .to(...)");
        }
        if (!a.dtype().isFloating()) {
            throw new IllegalArgumentException(op + ": expected floating operands, got " + a.dtype() + "; convert with .to(DType.F32)");
        }
    }

    /** {@code t}'s shape with the batch dimensions of the gradient {@code g} in front of its last two. */
    private static int[] batchExpanded(Tensor g, Tensor t) {
        int[] gs = g.shape();
        int[] r = Arrays.copyOf(gs, gs.length);
        r[r.length - 2] = t.shape(-2);
        r[r.length - 1] = t.shape(-1);
        return r;
    }
}
