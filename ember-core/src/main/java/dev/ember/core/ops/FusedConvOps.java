package dev.ember.core.ops;

import dev.ember.core.Tensor;
import dev.ember.core.autograd.GradMode;
import dev.ember.core.dispatch.Dispatcher;
import dev.ember.core.ops.ConvOps.Conv2dAttrs;

import java.util.Arrays;

/**
 * The inference convolution with its epilogue fused: {@code y = act(conv2d(x, w) + bias + residual)}.
 * It is what a ResNet block's {@code conv -> batch_norm -> add -> relu} becomes once batch norm
 * is folded into the convolution's weights (see ember-infer's {@code InferenceOptimizer}): one
 * pass over the output instead of four.
 *
 * <p>It decomposes into {@code conv2d}, {@code add} and {@code relu}, so every backend runs it; a
 * backend may register a kernel that adds bias and residual and applies the activation in one
 * pass. It has no derivative: with grad mode on, an input that requires grad is an error (use
 * the separate ops to train).
 *
 * <pre>{@code
 * try (var g = Tensor.noGrad()) {
 *     Tensor y = FusedConvOps.conv2dFused(x, w, b, skip, new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}, 1,
 *             FusedConvOps.Activation.RELU);
 * }
 * }</pre>
 */
public final class FusedConvOps {

    private FusedConvOps() {}

    /** The activation applied last. */
    public enum Activation { NONE, RELU }

    /**
     * The convolution's attributes; which optional inputs follow x and w (bias [O], then residual
     * shaped like the output); the activation.
     */
    public record Conv2dFusedAttrs(Conv2dAttrs conv, boolean hasBias, boolean hasResidual, Activation activation) {}

    /** {@code (x [N, C, H, W], w [O, C/groups, kh, kw], bias [O]?, residual [N, O, Ho, Wo]?) -> [N, O, Ho, Wo]}. */
    public static final CompositeOp<Conv2dFusedAttrs> CONV2D_FUSED = new CompositeOp<>("conv2d_fused") {
        @Override
        public OutputSpec[] infer(Tensor[] in, Conv2dFusedAttrs a) {
            return check(in, a);
        }

        @Override
        public Tensor[] decompose(Tensor[] in, Conv2dFusedAttrs a) {
            check(in, a);
            int k = 2;
            Tensor y = a.hasBias()
                    ? Dispatcher.call1(ConvOps.CONV2D, a.conv(), in[0], in[1], in[k++])
                    : Dispatcher.call1(ConvOps.CONV2D, a.conv(), in[0], in[1]);
            if (a.hasResidual()) y = y.add(in[k]);
            if (a.activation() == Activation.RELU) y = y.relu();
            return new Tensor[] {y};
        }

        @Override
        public boolean differentiable() { return false; }

        @Override
        public Tensor[] vjp(VjpContext<Conv2dFusedAttrs> ctx) {
            throw new UnsupportedOperationException("conv2d_fused: an inference op without a derivative; train with conv2d, add and relu");
        }
    };

    /**
     * {@code act(conv2d(x, w) + bias + residual)}; bias ({@code [O]}) and residual (the output's
     * shape) may be null. Stride, padding and dilation take 1 or 2 values, as in
     * {@link ConvOps#conv2d}.
     */
    public static Tensor conv2dFused(Tensor x, Tensor w, Tensor bias, Tensor residual, int[] stride, int[] padding, int[] dilation,
                                     int groups, Activation activation) {
        if (groups < 1) throw new IllegalArgumentException("conv2d_fused: groups must be positive, got " + groups);
        if (activation == null) throw new IllegalArgumentException("conv2d_fused: activation must not be null (use Activation.NONE)");
        Conv2dAttrs c = new Conv2dAttrs(ConvOps.pair("conv2d_fused", "stride", stride, 1), ConvOps.pair("conv2d_fused", "padding", padding, 0),
                ConvOps.pair("conv2d_fused", "dilation", dilation, 1), groups);
        return conv2dFused(x, w, bias, residual, c, activation);
    }

    /** As above with the convolution's attributes given as a record (the form a traced conv2d call carries). */
    public static Tensor conv2dFused(Tensor x, Tensor w, Tensor bias, Tensor residual, Conv2dAttrs conv, Activation activation) {
        Conv2dFusedAttrs a = new Conv2dFusedAttrs(conv, bias != null, residual != null, activation);
        return Dispatcher.call1(CONV2D_FUSED, a, inputs(x, w, bias, residual));
    }

    /** x, w, then bias and residual where present: the input order the op expects. */
    private static Tensor[] inputs(Tensor x, Tensor w, Tensor bias, Tensor residual) {
        int n = 2 + (bias != null ? 1 : 0) + (residual != null ? 1 : 0);
        Tensor[] in = new Tensor[n];
        in[0] = x;
        in[1] = w;
        int k = 2;
        if (bias != null) in[k++] = bias;
        if (residual != null) in[k] = residual;
        return in;
    }

    private static final String[] NAMES = {"input", "weight", "bias", "residual"};

    /** Validates the inputs (count, grad, convolution shapes, residual shape) and gives the output's spec. */
    private static OutputSpec[] check(Tensor[] in, Conv2dFusedAttrs a) {
        int expected = 2 + (a.hasBias() ? 1 : 0) + (a.hasResidual() ? 1 : 0);
        if (in.length != expected) {
            throw new IllegalArgumentException("conv2d_fused: expected " + expected + " inputs (input, weight" + (a.hasBias() ? ", bias" : "")
                    + (a.hasResidual() ? ", residual" : "") + ") but got " + in.length);
        }
        if (GradMode.isEnabled()) {
            for (int i = 0; i < in.length; i++) {
                if (in[i].requiresGrad()) {
                    String name = NAMES[i == 2 && !a.hasBias() ? 3 : i];
                    throw new IllegalStateException("conv2d_fused: " + name + " of shape " + Arrays.toString(in[i].shape())
                            + " requires grad, but conv2d_fused is an inference op without a derivative; call it under Tensor.noGrad(), "
                            + "or use conv2d, add and relu to train");
                }
            }
        }
        Tensor[] conv = a.hasBias() ? new Tensor[] {in[0], in[1], in[2]} : new Tensor[] {in[0], in[1]};
        OutputSpec[] out;
        try {
            out = ConvOps.CONV2D.infer(conv, a.conv());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("conv2d_fused: " + e.getMessage(), e);
        }
        if (a.hasResidual()) {
            Tensor r = in[in.length - 1];
            if (!Arrays.equals(r.shape(), out[0].shape()) || r.dtype() != out[0].dtype()) {
                throw new IllegalArgumentException("conv2d_fused: residual of shape " + Arrays.toString(r.shape()) + " (" + r.dtype()
                        + ") must match the convolution's output " + Arrays.toString(out[0].shape()) + " (" + out[0].dtype()
                        + ") of input " + Arrays.toString(in[0].shape()) + " and weight " + Arrays.toString(in[1].shape()));
            }
        }
        return out;
    }
}
