package dev.ember.core.ops;

import dev.ember.core.Tensor;
import dev.ember.core.dispatch.Dispatcher;

import java.util.Arrays;

/**
 * Convolutions over NCHW tensors with PyTorch semantics. Three primitives close under
 * differentiation: {@code conv2d}, {@code conv_transpose2d} and {@code conv2d_weight_grad};
 * each one's derivative is written with the others, so gradients of any order are ops.
 * conv1d runs as conv2d over a height of 1.
 */
public final class ConvOps {

    private ConvOps() {}

    /** Stride, padding and dilation as (height, width) pairs, and the number of groups. */
    public record Conv2dAttrs(int[] stride, int[] padding, int[] dilation, int groups) {}

    /** As {@link Conv2dAttrs} plus the extra size added to one side of each output dimension. */
    public record ConvTranspose2dAttrs(int[] stride, int[] padding, int[] outputPadding, int[] dilation, int groups) {}

    /** The gradient of a conv2d weight of shape {@code weightShape}, given its input and its output gradient. */
    public record WeightGradAttrs(int[] weightShape, int[] stride, int[] padding, int[] dilation, int groups) {}

    /** {@code (x [N, C, H, W], w [O, C/groups, kh, kw], b [O]?) -> [N, O, Ho, Wo]}. */
    public static final Op<Conv2dAttrs> CONV2D = new Op<>("conv2d") {
        @Override
        public OutputSpec[] infer(Tensor[] in, Conv2dAttrs a) {
            Tensor x = in[0], w = in[1];
            checkOperands("conv2d", in);
            int[] xs = x.shape(), ws = w.shape();
            int g = a.groups();
            if (ws[0] % g != 0) {
                throw new IllegalArgumentException("conv2d: weight of shape " + Arrays.toString(ws) + " has " + ws[0]
                        + " output channels, not divisible by groups=" + g);
            }
            if (ws[1] * g != xs[1]) {
                throw new IllegalArgumentException("conv2d: weight of shape " + Arrays.toString(ws) + " expects " + (ws[1] * g)
                        + " input channels but input of shape " + Arrays.toString(xs) + " has " + xs[1]);
            }
            checkBias("conv2d", in, ws[0]);
            int ho = convOut("conv2d", xs, ws, 0, a.stride(), a.padding(), a.dilation());
            int wo = convOut("conv2d", xs, ws, 1, a.stride(), a.padding(), a.dilation());
            return new OutputSpec[] {new OutputSpec(new int[] {xs[0], ws[0], ho, wo}, x.dtype())};
        }

        @Override
        public Tensor[] vjp(VjpContext<Conv2dAttrs> c) {
            Conv2dAttrs a = c.attrs();
            Tensor x = c.input(0), w = c.input(1), g = c.grad(0);
            Tensor[] r = new Tensor[c.inputCount()];
            if (c.needsInputGrad(0)) r[0] = inputGrad(g, w, x.shape(), a.stride(), a.padding(), a.dilation(), a.groups());
            if (c.needsInputGrad(1)) r[1] = weightGrad(x, g, w.shape(), a.stride(), a.padding(), a.dilation(), a.groups());
            if (r.length > 2 && c.needsInputGrad(2)) r[2] = g.sum(new int[] {0, 2, 3}, false);
            return r;
        }
    };

    /** {@code (x [N, Cin, H, W], w [Cin, Cout/groups, kh, kw], b [Cout]?) -> [N, Cout, Ho, Wo]}. */
    public static final Op<ConvTranspose2dAttrs> CONV_TRANSPOSE2D = new Op<>("conv_transpose2d") {
        @Override
        public OutputSpec[] infer(Tensor[] in, ConvTranspose2dAttrs a) {
            Tensor x = in[0], w = in[1];
            checkOperands("conv_transpose2d", in);
            int[] xs = x.shape(), ws = w.shape();
            int g = a.groups();
            if (ws[0] != xs[1]) {
                throw new IllegalArgumentException("conv_transpose2d: weight of shape " + Arrays.toString(ws) + " expects " + ws[0]
                        + " input channels but input of shape " + Arrays.toString(xs) + " has " + xs[1]);
            }
            if (xs[1] % g != 0) {
                throw new IllegalArgumentException("conv_transpose2d: input of shape " + Arrays.toString(xs) + " has " + xs[1]
                        + " channels, not divisible by groups=" + g);
            }
            checkBias("conv_transpose2d", in, ws[1] * g);
            int[] out = new int[] {xs[0], ws[1] * g, 0, 0};
            for (int d = 0; d < 2; d++) {
                long o = (long) (xs[2 + d] - 1) * a.stride()[d] - 2L * a.padding()[d] + (long) a.dilation()[d] * (ws[2 + d] - 1)
                        + a.outputPadding()[d] + 1;
                if (o < 1 || o > Integer.MAX_VALUE) {
                    throw new IllegalArgumentException("conv_transpose2d: input of shape " + Arrays.toString(xs) + " with weight of shape "
                            + Arrays.toString(ws) + ", stride " + Arrays.toString(a.stride()) + " and padding " + Arrays.toString(a.padding())
                            + " gives output size " + o + " in dimension " + (2 + d) + "; it must be at least 1");
                }
                out[2 + d] = (int) o;
            }
            return new OutputSpec[] {new OutputSpec(out, x.dtype())};
        }

        @Override
        public Tensor[] vjp(VjpContext<ConvTranspose2dAttrs> c) {
            ConvTranspose2dAttrs a = c.attrs();
            Tensor x = c.input(0), w = c.input(1), g = c.grad(0);
            Tensor[] r = new Tensor[c.inputCount()];
            if (c.needsInputGrad(0)) {
                Tensor gx = Dispatcher.call1(CONV2D, new Conv2dAttrs(a.stride(), a.padding(), a.dilation(), a.groups()), g, w);
                r[0] = fitSpatial(gx, x.shape());
            }
            if (c.needsInputGrad(1)) r[1] = weightGrad(g, x, w.shape(), a.stride(), a.padding(), a.dilation(), a.groups());
            if (r.length > 2 && c.needsInputGrad(2)) r[2] = g.sum(new int[] {0, 2, 3}, false);
            return r;
        }
    };

    /**
     * {@code (x [N, C, H, W], gy [N, O, Ho, Wo]) -> [O, C/groups, kh, kw]}: the weight gradient of
     * conv2d. gy may be smaller than the full convolution output; positions past it are not used.
     */
    public static final Op<WeightGradAttrs> CONV2D_WEIGHT_GRAD = new Op<>("conv2d_weight_grad") {
        @Override
        public OutputSpec[] infer(Tensor[] in, WeightGradAttrs a) {
            Tensor x = in[0], gy = in[1];
            int[] xs = x.shape(), gs = gy.shape(), ws = a.weightShape();
            if (x.dim() != 4 || gy.dim() != 4 || ws.length != 4 || x.dtype() != gy.dtype() || gs[0] != xs[0]
                    || gs[1] != ws[0] || ws[1] * a.groups() != xs[1]) {
                throw new IllegalArgumentException("conv2d_weight_grad: input of shape " + Arrays.toString(xs) + " and output gradient of shape "
                        + Arrays.toString(gs) + " (" + gy.dtype() + ") do not fit weight shape " + Arrays.toString(ws)
                        + " with groups=" + a.groups());
            }
            for (int d = 0; d < 2; d++) {
                int full = convOut("conv2d_weight_grad", xs, ws, d, a.stride(), a.padding(), a.dilation());
                if (gs[2 + d] > full) {
                    throw new IllegalArgumentException("conv2d_weight_grad: output gradient of shape " + Arrays.toString(gs)
                            + " is larger than the convolution output of input " + Arrays.toString(xs) + " in dimension " + (2 + d));
                }
            }
            return new OutputSpec[] {new OutputSpec(ws.clone(), x.dtype())};
        }

        @Override
        public Tensor[] vjp(VjpContext<WeightGradAttrs> c) {
            WeightGradAttrs a = c.attrs();
            Tensor x = c.input(0), gy = c.input(1), gw = c.grad(0);
            Tensor[] r = new Tensor[2];
            // the op is bilinear in (x, gy): each partial derivative is the convolution that pairs the other with gw
            if (c.needsInputGrad(0)) r[0] = inputGrad(gy, gw, x.shape(), a.stride(), a.padding(), a.dilation(), a.groups());
            if (c.needsInputGrad(1)) {
                Tensor y = Dispatcher.call1(CONV2D, new Conv2dAttrs(a.stride(), a.padding(), a.dilation(), a.groups()), x, gw);
                r[1] = fitSpatial(y, gy.shape());
            }
            return r;
        }
    };

    // ---------------------------------------------------------------- functions

    /**
     * 2-d convolution (cross-correlation, as PyTorch): x {@code [N, C, H, W]}, w
     * {@code [O, C/groups, kh, kw]}, b {@code [O]} or null.
     *
     * <pre>{@code
     * Tensor y = ConvOps.conv2d(x, w, null, new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}, 1);
     * }</pre>
     */
    public static Tensor conv2d(Tensor x, Tensor w, Tensor b, int[] stride, int[] padding, int[] dilation, int groups) {
        Conv2dAttrs a = new Conv2dAttrs(pair("conv2d", "stride", stride, 1), pair("conv2d", "padding", padding, 0),
                pair("conv2d", "dilation", dilation, 1), positiveGroups("conv2d", groups));
        return b == null ? Dispatcher.call1(CONV2D, a, x, w) : Dispatcher.call1(CONV2D, a, x, w, b);
    }

    /**
     * 1-d convolution: x {@code [N, C, L]}, w {@code [O, C/groups, k]}, b {@code [O]} or null.
     *
     * <pre>{@code
     * Tensor y = ConvOps.conv1d(x, w, b, 1, 0, 1, 1);
     * }</pre>
     */
    public static Tensor conv1d(Tensor x, Tensor w, Tensor b, int stride, int padding, int dilation, int groups) {
        if (x.dim() != 3 || w.dim() != 3) {
            throw new IllegalArgumentException("conv1d: expected input [N, C, L] and weight [O, C/groups, k], got shapes "
                    + Arrays.toString(x.shape()) + " and " + Arrays.toString(w.shape()));
        }
        Tensor y = conv2d(x.unsqueeze(2), w.unsqueeze(2), b, new int[] {1, stride}, new int[] {0, padding},
                new int[] {1, dilation}, groups);
        return y.squeeze(2);
    }

    /**
     * Transposed 2-d convolution (the gradient of conv2d with respect to its input), PyTorch
     * semantics: x {@code [N, Cin, H, W]}, w {@code [Cin, Cout/groups, kh, kw]}, b {@code [Cout]}
     * or null; output size {@code (H-1)*stride - 2*padding + dilation*(kh-1) + outputPadding + 1}.
     *
     * <pre>{@code
     * Tensor up = ConvOps.convTranspose2d(x, w, null, new int[] {2, 2}, new int[] {0, 0}, new int[] {0, 0}, 1, new int[] {1, 1});
     * }</pre>
     */
    public static Tensor convTranspose2d(Tensor x, Tensor w, Tensor b, int[] stride, int[] padding, int[] outputPadding,
                                         int groups, int[] dilation) {
        int[] s = pair("conv_transpose2d", "stride", stride, 1), d = pair("conv_transpose2d", "dilation", dilation, 1);
        int[] op = pair("conv_transpose2d", "outputPadding", outputPadding, 0);
        for (int i = 0; i < 2; i++) {
            if (op[i] >= s[i] && op[i] >= d[i]) {
                throw new IllegalArgumentException("conv_transpose2d: outputPadding " + Arrays.toString(op)
                        + " must be smaller than either stride " + Arrays.toString(s) + " or dilation " + Arrays.toString(d));
            }
        }
        ConvTranspose2dAttrs a = new ConvTranspose2dAttrs(s, pair("conv_transpose2d", "padding", padding, 0), op, d,
                positiveGroups("conv_transpose2d", groups));
        return b == null ? Dispatcher.call1(CONV_TRANSPOSE2D, a, x, w) : Dispatcher.call1(CONV_TRANSPOSE2D, a, x, w, b);
    }

    /** The weight gradient of conv2d as an op (differentiable again). */
    public static Tensor weightGrad(Tensor x, Tensor gy, int[] weightShape, int[] stride, int[] padding, int[] dilation, int groups) {
        return Dispatcher.call1(CONV2D_WEIGHT_GRAD, new WeightGradAttrs(weightShape.clone(), stride, padding, dilation, groups), x, gy);
    }

    /** The input gradient of conv2d: the transposed convolution sized back to {@code inputShape}. */
    static Tensor inputGrad(Tensor gy, Tensor w, int[] inputShape, int[] stride, int[] padding, int[] dilation, int groups) {
        int[] ws = w.shape(), gs = gy.shape();
        int[] op = new int[2];
        for (int d = 0; d < 2; d++) {
            op[d] = inputShape[2 + d] - ((gs[2 + d] - 1) * stride[d] - 2 * padding[d] + dilation[d] * (ws[2 + d] - 1) + 1);
        }
        if (op[0] >= 0 && op[1] >= 0) {
            return Dispatcher.call1(CONV_TRANSPOSE2D, new ConvTranspose2dAttrs(stride, padding, op, dilation, groups), gy, w);
        }
        Tensor full = Dispatcher.call1(CONV_TRANSPOSE2D,
                new ConvTranspose2dAttrs(stride, padding, new int[] {Math.max(0, op[0]), Math.max(0, op[1])}, dilation, groups), gy, w);
        return fitSpatial(full, inputShape);
    }

    // ---------------------------------------------------------------- shape rules

    /** Output size of a convolution along spatial dimension d (0 = height). */
    static int convOut(String op, int[] xs, int[] ws, int d, int[] stride, int[] padding, int[] dilation) {
        long span = (long) dilation[d] * (ws[2 + d] - 1) + 1;
        long avail = xs[2 + d] + 2L * padding[d];
        if (avail < span) {
            throw new IllegalArgumentException(op + ": input of shape " + Arrays.toString(xs) + " padded by " + padding[d]
                    + " is smaller than the kernel of shape " + Arrays.toString(ws) + " (dilated extent " + span + ") in dimension " + (2 + d));
        }
        return (int) ((avail - span) / stride[d] + 1);
    }

    /** Cuts t's spatial dimensions down to those of {@code shape} (no-op where they match). */
    private static Tensor fitSpatial(Tensor t, int[] shape) {
        if (t.shape(2) > shape[2]) t = t.narrow(2, 0, shape[2]);
        if (t.shape(3) > shape[3]) t = t.narrow(3, 0, shape[3]);
        return t;
    }

    private static void checkOperands(String op, Tensor[] in) {
        Tensor x = in[0], w = in[1];
        if (x.dim() != 4 || w.dim() != 4) {
            throw new IllegalArgumentException(op + ": expected a 4-d input [N, C, H, W] and a 4-d weight, got shapes "
                    + Arrays.toString(x.shape()) + " and " + Arrays.toString(w.shape()));
        }
        if (x.dtype() != w.dtype()) {
            throw new IllegalArgumentException(op + ": input has dtype " + x.dtype() + " but weight has " + w.dtype() + "; convert one with .to(...)");
        }
        if (!x.dtype().isFloating()) {
            throw new IllegalArgumentException(op + ": expected floating tensors, got " + x.dtype() + "; convert with .to(DType.F32)");
        }
    }

    private static void checkBias(String op, Tensor[] in, int channels) {
        if (in.length < 3) return;
        Tensor b = in[2];
        if (b.dim() != 1 || b.shape(0) != channels || b.dtype() != in[0].dtype()) {
            throw new IllegalArgumentException(op + ": bias of shape " + Arrays.toString(b.shape()) + " (" + b.dtype() + ") does not match weight of shape "
                    + Arrays.toString(in[1].shape()) + " (expected [" + channels + "] of " + in[0].dtype() + ")");
        }
    }

    static int[] pair(String op, String name, int[] v, int min) {
        if (v == null || (v.length != 1 && v.length != 2)) {
            throw new IllegalArgumentException(op + ": " + name + " must have 1 or 2 values, got " + Arrays.toString(v));
        }
        int[] p = v.length == 1 ? new int[] {v[0], v[0]} : v.clone();
        for (int x : p) {
            if (x < min) throw new IllegalArgumentException(op + ": " + name + " must be at least " + min + ", got " + Arrays.toString(v));
        }
        return p;
    }

    private static int positiveGroups(String op, int groups) {
        if (groups < 1) throw new IllegalArgumentException(op + ": groups must be positive, got " + groups);
        return groups;
    }
}
