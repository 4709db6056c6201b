package dev.ember.core.ops;

import dev.ember.core.DType;
import dev.ember.core.Tensor;
import dev.ember.core.dispatch.Dispatcher;

import java.util.Arrays;

/**
 * Pooling and resizing over NCHW tensors, PyTorch semantics. Average pooling, adaptive average
 * pooling and nearest / bilinear upsampling are linear and separable: each output row (column)
 * is a weighted sum of input rows (columns), given once here by {@link Resample2d#weights} for
 * every backend. Each has a forward op and an adjoint op whose derivatives are each other.
 * Max pooling saves argmax indices; its gradient scatters through them, and the gradient of
 * that scatter gathers through them.
 */
public final class PoolingOps {

    private PoolingOps() {}

    /**
     * For each output position {@code o} along one axis, the input positions
     * {@code index[start[o] .. start[o+1])} with their weights.
     */
    public record AxisWeights(int[] start, int[] index, double[] weight) {}

    /** A separable linear resampling of the last two dimensions. */
    public sealed interface Resample2d permits AvgPool2d, AdaptiveAvgPool2d, UpsampleNearest2d, UpsampleBilinear2d {
        /** Output size along axis 0 (height) or 1 (width), validating the attributes against the input size. */
        int outSize(int axis, int in);

        /** The weights along axis 0 or 1 for an input of size {@code in}. */
        AxisWeights weights(int axis, int in);
    }

    public record AvgPool2d(int[] kernel, int[] stride, int[] padding, boolean ceilMode, boolean countIncludePad) implements Resample2d {
        @Override
        public int outSize(int axis, int in) {
            return poolOut("avg_pool2d", in, kernel[axis], stride[axis], padding[axis], 1, ceilMode, axis);
        }

        @Override
        public AxisWeights weights(int axis, int in) {
            int out = outSize(axis, in), k = kernel[axis], s = stride[axis], p = padding[axis];
            int[] start = new int[out + 1];
            int[] idx = new int[out * k];
            double[] w = new double[out * k];
            int n = 0;
            for (int o = 0; o < out; o++) {
                int lo = o * s - p, hi = Math.min(lo + k, in + p);
                int pool = hi - lo;
                lo = Math.max(lo, 0);
                hi = Math.min(hi, in);
                double div = countIncludePad ? pool : hi - lo;
                start[o] = n;
                for (int i = lo; i < hi; i++, n++) {
                    idx[n] = i;
                    w[n] = 1 / div;
                }
            }
            start[out] = n;
            return new AxisWeights(start, Arrays.copyOf(idx, n), Arrays.copyOf(w, n));
        }
    }

    public record AdaptiveAvgPool2d(int outH, int outW) implements Resample2d {
        @Override
        public int outSize(int axis, int in) { return axis == 0 ? outH : outW; }

        @Override
        public AxisWeights weights(int axis, int in) {
            int out = outSize(axis, in);
            int[] start = new int[out + 1];
            int[] idx = new int[(in / Math.max(1, out) + 2) * out + in];
            double[] w = new double[idx.length];
            int n = 0;
            for (int o = 0; o < out; o++) {
                int lo = (int) ((long) o * in / out), hi = (int) (((long) (o + 1) * in + out - 1) / out);
                start[o] = n;
                for (int i = lo; i < hi; i++, n++) {
                    idx[n] = i;
                    w[n] = 1.0 / (hi - lo);
                }
            }
            start[out] = n;
            return new AxisWeights(start, Arrays.copyOf(idx, n), Arrays.copyOf(w, n));
        }
    }

    public record UpsampleNearest2d(int outH, int outW) implements Resample2d {
        @Override
        public int outSize(int axis, int in) { return axis == 0 ? outH : outW; }

        @Override
        public AxisWeights weights(int axis, int in) {
            int out = outSize(axis, in);
            // PyTorch computes the source index in float with scale = in / out
            float scale = (float) in / out;
            int[] start = new int[out + 1];
            int[] idx = new int[out];
            double[] w = new double[out];
            for (int o = 0; o < out; o++) {
                start[o] = o;
                idx[o] = Math.min((int) Math.floor((float) o * scale), in - 1);
                w[o] = 1;
            }
            start[out] = out;
            return new AxisWeights(start, idx, w);
        }
    }

    public record UpsampleBilinear2d(int outH, int outW, boolean alignCorners) implements Resample2d {
        @Override
        public int outSize(int axis, int in) { return axis == 0 ? outH : outW; }

        @Override
        public AxisWeights weights(int axis, int in) {
            int out = outSize(axis, in);
            double scale = alignCorners ? (out > 1 ? (in - 1.0) / (out - 1) : 0) : (double) in / out;
            int[] start = new int[out + 1];
            int[] idx = new int[2 * out];
            double[] w = new double[2 * out];
            for (int o = 0; o < out; o++) {
                double src = alignCorners ? scale * o : Math.max((o + 0.5) * scale - 0.5, 0);
                int i0 = Math.min((int) src, in - 1);
                int i1 = i0 + (i0 < in - 1 ? 1 : 0);
                double l1 = src - i0;
                start[o] = 2 * o;
                idx[2 * o] = i0;
                w[2 * o] = 1 - l1;
                idx[2 * o + 1] = i1;
                w[2 * o + 1] = l1;
            }
            start[out] = 2 * out;
            return new AxisWeights(start, idx, w);
        }
    }

    /** A forward resampling's attributes and the input shape its adjoint produces. */
    public record ResampleAdjoint(Resample2d forward, int[] inputShape) {}

    /** Max pooling's attributes. */
    public record MaxPool2dAttrs(int[] kernel, int[] stride, int[] padding, int[] dilation, boolean ceilMode) {}

    /** A forward separable resampling; its derivative is its {@link ResampleAdjointOp}. */
    public static final class ResampleOp extends Op<Resample2d> {
        private ResampleAdjointOp adjoint;

        ResampleOp(String name) { super(name); }

        public ResampleAdjointOp adjoint() { return adjoint; }

        @Override
        public OutputSpec[] infer(Tensor[] in, Resample2d r) {
            int[] xs = checkNchw(name(), in[0]);
            return new OutputSpec[] {new OutputSpec(new int[] {xs[0], xs[1], r.outSize(0, xs[2]), r.outSize(1, xs[3])}, in[0].dtype())};
        }

        @Override
        public Tensor[] vjp(VjpContext<Resample2d> c) {
            return new Tensor[] {Dispatcher.call1(adjoint, new ResampleAdjoint(c.attrs(), c.input(0).shape()), c.grad(0))};
        }
    }

    /** The transpose of a {@link ResampleOp}: spreads output gradients back over the input positions. */
    public static final class ResampleAdjointOp extends Op<ResampleAdjoint> {
        private final ResampleOp forward;

        ResampleAdjointOp(ResampleOp forward) {
            super(forward.name() + "_backward");
            this.forward = forward;
            forward.adjoint = this;
        }

        public ResampleOp forward() { return forward; }

        @Override
        public OutputSpec[] infer(Tensor[] in, ResampleAdjoint a) {
            int[] gs = checkNchw(name(), in[0]), xs = a.inputShape();
            int[] expect = {xs[0], xs[1], a.forward().outSize(0, xs[2]), a.forward().outSize(1, xs[3])};
            if (!Arrays.equals(gs, expect)) {
                throw new IllegalArgumentException(name() + ": gradient of shape " + Arrays.toString(gs) + " does not match the output shape "
                        + Arrays.toString(expect) + " of an input of shape " + Arrays.toString(xs));
            }
            return new OutputSpec[] {new OutputSpec(xs.clone(), in[0].dtype())};
        }

        @Override
        public Tensor[] vjp(VjpContext<ResampleAdjoint> c) {
            return new Tensor[] {Dispatcher.call1(forward, c.attrs().forward(), c.grad(0))};
        }
    }

    public static final ResampleOp AVG_POOL2D = new ResampleOp("avg_pool2d");
    public static final ResampleAdjointOp AVG_POOL2D_BACKWARD = new ResampleAdjointOp(AVG_POOL2D);
    public static final ResampleOp ADAPTIVE_AVG_POOL2D = new ResampleOp("adaptive_avg_pool2d");
    public static final ResampleAdjointOp ADAPTIVE_AVG_POOL2D_BACKWARD = new ResampleAdjointOp(ADAPTIVE_AVG_POOL2D);
    public static final ResampleOp UPSAMPLE_NEAREST2D = new ResampleOp("upsample_nearest2d");
    public static final ResampleAdjointOp UPSAMPLE_NEAREST2D_BACKWARD = new ResampleAdjointOp(UPSAMPLE_NEAREST2D);
    public static final ResampleOp UPSAMPLE_BILINEAR2D = new ResampleOp("upsample_bilinear2d");
    public static final ResampleAdjointOp UPSAMPLE_BILINEAR2D_BACKWARD = new ResampleAdjointOp(UPSAMPLE_BILINEAR2D);

    /** {@code x [N, C, H, W] -> (values [N, C, Ho, Wo], indices i64)}; an index is the flat position in its H*W plane. */
    public static final Op<MaxPool2dAttrs> MAX_POOL2D = new Op<>("max_pool2d") {
        @Override
        public OutputSpec[] infer(Tensor[] in, MaxPool2dAttrs a) {
            int[] xs = checkNchw("max_pool2d", in[0]);
            int[] out = {xs[0], xs[1], 0, 0};
            for (int d = 0; d < 2; d++) {
                out[2 + d] = poolOut("max_pool2d", xs[2 + d], a.kernel()[d], a.stride()[d], a.padding()[d], a.dilation()[d], a.ceilMode(), d);
            }
            return new OutputSpec[] {new OutputSpec(out, in[0].dtype()), new OutputSpec(out.clone(), DType.I64)};
        }

        @Override
        public Tensor[] vjp(VjpContext<MaxPool2dAttrs> c) {
            return new Tensor[] {Dispatcher.call1(MAX_POOL2D_BACKWARD, c.input(0).shape(), c.grad(0), c.output(1))};
        }
    };

    /** {@code (g, indices) -> [N, C, H, W]} with g added at each index (the attribute is the input shape). */
    public static final Op<int[]> MAX_POOL2D_BACKWARD = new Op<>("max_pool2d_backward") {
        @Override
        public OutputSpec[] infer(Tensor[] in, int[] inputShape) {
            checkIndices("max_pool2d_backward", in[0], in[1]);
            return new OutputSpec[] {new OutputSpec(inputShape.clone(), in[0].dtype())};
        }

        @Override
        public Tensor[] vjp(VjpContext<int[]> c) {
            return new Tensor[] {Dispatcher.call1(MAX_POOL2D_GATHER, NoAttrs.INSTANCE, c.grad(0), c.input(1)), null};
        }
    };

    /** {@code (x [N, C, H, W], indices [N, C, Ho, Wo]) -> x at each index}: the adjoint of the scatter. */
    public static final Op<NoAttrs> MAX_POOL2D_GATHER = new Op<>("max_pool2d_gather") {
        @Override
        public OutputSpec[] infer(Tensor[] in, NoAttrs a) {
            checkIndices("max_pool2d_gather", in[0], in[1]);
            return new OutputSpec[] {new OutputSpec(in[1].shape(), in[0].dtype())};
        }

        @Override
        public Tensor[] vjp(VjpContext<NoAttrs> c) {
            return new Tensor[] {Dispatcher.call1(MAX_POOL2D_BACKWARD, c.input(0).shape(), c.grad(0), c.input(1)), null};
        }
    };

    // ---------------------------------------------------------------- functions

    /**
     * 2-d max pooling; {@code stride} null means the kernel size. NaN propagates.
     *
     * <pre>{@code
     * Tensor y = PoolingOps.maxPool2d(x, new int[] {2, 2}, null, new int[] {0, 0}, new int[] {1, 1}, false);
     * }</pre>
     */
    public static Tensor maxPool2d(Tensor x, int[] kernel, int[] stride, int[] padding, int[] dilation, boolean ceilMode) {
        return maxPool2dWithIndices(x, kernel, stride, padding, dilation, ceilMode).values();
    }

    /** As {@link #maxPool2d}, also giving the flat index in its H*W plane of each maximum. */
    public static ValuesIndices maxPool2dWithIndices(Tensor x, int[] kernel, int[] stride, int[] padding, int[] dilation, boolean ceilMode) {
        int[] k = ConvOps.pair("max_pool2d", "kernel", kernel, 1);
        MaxPool2dAttrs a = new MaxPool2dAttrs(k, stride == null || stride.length == 0 ? k : ConvOps.pair("max_pool2d", "stride", stride, 1),
                ConvOps.pair("max_pool2d", "padding", padding == null ? new int[] {0} : padding, 0),
                ConvOps.pair("max_pool2d", "dilation", dilation == null ? new int[] {1} : dilation, 1), ceilMode);
        for (int d = 0; d < 2; d++) checkPad("max_pool2d", a.padding()[d], a.dilation()[d] * (k[d] - 1) + 1, a.padding(), k);
        Tensor[] r = Dispatcher.call(MAX_POOL2D, a, floating("max_pool2d", x));
        return new ValuesIndices(r[0], r[1]);
    }

    /**
     * 2-d average pooling; {@code stride} null means the kernel size.
     *
     * <pre>{@code
     * Tensor y = PoolingOps.avgPool2d(x, new int[] {3, 3}, new int[] {2, 2}, new int[] {1, 1}, false, true);
     * }</pre>
     */
    public static Tensor avgPool2d(Tensor x, int[] kernel, int[] stride, int[] padding, boolean ceilMode, boolean countIncludePad) {
        int[] k = ConvOps.pair("avg_pool2d", "kernel", kernel, 1);
        int[] p = ConvOps.pair("avg_pool2d", "padding", padding == null ? new int[] {0} : padding, 0);
        for (int d = 0; d < 2; d++) checkPad("avg_pool2d", p[d], k[d], p, k);
        AvgPool2d a = new AvgPool2d(k, stride == null || stride.length == 0 ? k : ConvOps.pair("avg_pool2d", "stride", stride, 1), p,
                ceilMode, countIncludePad);
        return Dispatcher.call1(AVG_POOL2D, a, floating("avg_pool2d", x));
    }

    /**
     * Average pooling to a fixed output size: output cell o covers input rows
     * {@code floor(o*H/outH) .. ceil((o+1)*H/outH)}.
     *
     * <pre>{@code
     * Tensor pooled = PoolingOps.adaptiveAvgPool2d(features, 1, 1);   // global average pool
     * }</pre>
     */
    public static Tensor adaptiveAvgPool2d(Tensor x, int outH, int outW) {
        checkOutSize("adaptive_avg_pool2d", x, outH, outW);
        return Dispatcher.call1(ADAPTIVE_AVG_POOL2D, new AdaptiveAvgPool2d(outH, outW), floating("adaptive_avg_pool2d", x));
    }

    /**
     * Nearest-neighbour resize to {@code outH x outW} (PyTorch's 'nearest': source = floor(o * in / out)).
     *
     * <pre>{@code
     * Tensor up = PoolingOps.upsampleNearest2d(x, 2 * x.shape(2), 2 * x.shape(3));
     * }</pre>
     */
    public static Tensor upsampleNearest2d(Tensor x, int outH, int outW) {
        checkOutSize("upsample_nearest2d", x, outH, outW);
        return Dispatcher.call1(UPSAMPLE_NEAREST2D, new UpsampleNearest2d(outH, outW), floating("upsample_nearest2d", x));
    }

    /**
     * Bilinear resize to {@code outH x outW}, with or without aligned corners.
     *
     * <pre>{@code
     * Tensor up = PoolingOps.upsampleBilinear2d(x, 64, 64, false);
     * }</pre>
     */
    public static Tensor upsampleBilinear2d(Tensor x, int outH, int outW, boolean alignCorners) {
        checkOutSize("upsample_bilinear2d", x, outH, outW);
        return Dispatcher.call1(UPSAMPLE_BILINEAR2D, new UpsampleBilinear2d(outH, outW, alignCorners), floating("upsample_bilinear2d", x));
    }

    // ---------------------------------------------------------------- shape rules

    /** PyTorch's pooling output size, with ceil mode never starting a window in the right padding. */
    static int poolOut(String op, int in, int k, int s, int p, int d, boolean ceil, int axis) {
        long span = (long) d * (k - 1) + 1;
        long num = in + 2L * p - span + (ceil ? s - 1 : 0);
        long out = num < 0 ? 0 : num / s + 1;
        if (ceil && out > 0 && (out - 1) * s >= in + p) out--;
        if (out < 1) {
            throw new IllegalArgumentException(op + ": input size " + in + " in dimension " + (2 + axis) + " with padding " + p
                    + " is smaller than the kernel extent " + span + " (output size would be " + out + ")");
        }
        return (int) out;
    }

    private static void checkPad(String op, int pad, int extent, int[] padding, int[] kernel) {
        if (pad > extent / 2) {
            throw new IllegalArgumentException(op + ": padding " + Arrays.toString(padding) + " must be at most half of the kernel size "
                    + Arrays.toString(kernel));
        }
    }

    private static int[] checkNchw(String op, Tensor x) {
        if (x.dim() != 4) {
            throw new IllegalArgumentException(op + ": expected a 4-d input [N, C, H, W], got shape " + Arrays.toString(x.shape()));
        }
        return x.shape();
    }

    private static void checkOutSize(String op, Tensor x, int outH, int outW) {
        int[] xs = checkNchw(op, x);
        if (outH < 1 || outW < 1) {
            throw new IllegalArgumentException(op + ": output size [" + outH + ", " + outW + "] must be positive (input shape "
                    + Arrays.toString(xs) + ")");
        }
        if (xs[2] < 1 || xs[3] < 1) {
            throw new IllegalArgumentException(op + ": input of shape " + Arrays.toString(xs) + " has an empty spatial dimension");
        }
    }

    private static void checkIndices(String op, Tensor g, Tensor idx) {
        if (idx.dtype() != DType.I64 || g.dim() != 4 || idx.dim() != 4 || g.shape(0) != idx.shape(0) || g.shape(1) != idx.shape(1)) {
            throw new IllegalArgumentException(op + ": tensor of shape " + Arrays.toString(g.shape()) + " and " + idx.dtype()
                    + " indices of shape " + Arrays.toString(idx.shape()) + " do not match");
        }
    }

    private static Tensor floating(String op, Tensor x) {
        if (!x.dtype().isFloating()) {
            throw new IllegalArgumentException(op + ": expected a floating tensor, got " + x.dtype() + "; convert with .to(DType.F32)");
        }
        return x;
    }
}
