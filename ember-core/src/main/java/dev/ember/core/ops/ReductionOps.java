package dev.ember.core.ops;

import dev.ember.core.DType;
import dev.ember.core.Shapes;
import dev.ember.core.Tensor;
import dev.ember.core.dispatch.Dispatcher;

import java.util.Arrays;

/** Reductions over any set of axes, and softmax / log-softmax. */
public final class ReductionOps {

    private ReductionOps() {}

    /** Sum; integer and bool inputs sum to i64, as in PyTorch. */
    public static final Op<ReduceAttrs> SUM = new Op<>("sum") {
        @Override
        public OutputSpec[] infer(Tensor[] in, ReduceAttrs a) {
            DType d = in[0].dtype().isFloating() ? in[0].dtype() : DType.I64;
            return new OutputSpec[] {new OutputSpec(Shapes.reduced(in[0].shape(), a.axes(), a.keepDim()), d)};
        }

        @Override
        public Tensor[] vjp(VjpContext<ReduceAttrs> c) {
            return new Tensor[] {expandBack(c.grad(0), c.input(0).shape(), c.attrs())};
        }
    };

    // ---------------------------------------------------------------- functions

    public static Tensor sum(Tensor x, int[] dims, boolean keepDim) {
        return Dispatcher.call1(SUM, new ReduceAttrs(Shapes.axes("sum", dims, x.dim()), keepDim), x);
    }

    public static Tensor mean(Tensor x, int[] dims, boolean keepDim) {
        if (!x.dtype().isFloating()) {
            throw new IllegalArgumentException("mean: expected a floating tensor, got " + x.dtype() + "; convert with .to(DType.F32)");
        }
        int[] axes = Shapes.axes("mean", dims, x.dim());
        long n = 1;
        for (int a : axes) n *= x.shape()[a];
        return sum(x, axes, keepDim).div(n);
    }

    /** Sums {@code g} down to {@code shape} (the reverse of broadcasting {@code shape} up to g's shape). */
    public static Tensor sumTo(Tensor g, int[] shape) {
        int[] gs = g.shape();
        if (Arrays.equals(gs, shape)) return g;
        int lead = gs.length - shape.length;
        int[] axes = new int[gs.length];
        int n = 0;
        for (int i = 0; i < gs.length; i++) {
            if (i < lead || (shape[i - lead] == 1 && gs[i] != 1)) axes[n++] = i;
        }
        Tensor r = n == 0 ? g : Dispatcher.call1(SUM, new ReduceAttrs(Arrays.copyOf(axes, n), true), g);
        return r.reshape(shape);
    }

    /** Broadcasts the gradient of a reduction back to the input's shape. */
    static Tensor expandBack(Tensor g, int[] inputShape, ReduceAttrs a) {
        if (!a.keepDim()) g = g.reshape(Shapes.reduced(inputShape, a.axes(), true));
        return g.expand(inputShape);
    }

    // ---------------------------------------------------------------- PENDING: implemented by the reductions work
    private static UnsupportedOperationException pending(String op) { return new UnsupportedOperationException(op + ": pending"); }
    public static Tensor var(Tensor x, int[] dims, int correction, boolean keepDim) { throw pending("var"); }
    public static Tensor std(Tensor x, int[] dims, int correction, boolean keepDim) { throw pending("std"); }
    public static Tensor amax(Tensor x, int[] dims, boolean keepDim) { throw pending("amax"); }
    public static Tensor amin(Tensor x, int[] dims, boolean keepDim) { throw pending("amin"); }
    public static ValuesIndices max(Tensor x, int dim, boolean keepDim) { throw pending("max"); }
    public static ValuesIndices min(Tensor x, int dim, boolean keepDim) { throw pending("min"); }
    public static Tensor argmax(Tensor x, int dim, boolean keepDim) { throw pending("argmax"); }
    public static Tensor argmin(Tensor x, int dim, boolean keepDim) { throw pending("argmin"); }
    public static Tensor logsumexp(Tensor x, int[] dims, boolean keepDim) { throw pending("logsumexp"); }
    public static Tensor norm(Tensor x, double p, int[] dims, boolean keepDim) { throw pending("norm"); }
    public static Tensor softmax(Tensor x, int dim) { throw pending("softmax"); }
    public static Tensor logSoftmax(Tensor x, int dim) { throw pending("logSoftmax"); }
}
