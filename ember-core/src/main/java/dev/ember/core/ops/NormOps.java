package dev.ember.core.ops;

import dev.ember.core.Tensor;
import dev.ember.core.dispatch.Dispatcher;

import java.util.Arrays;

/**
 * Normalisation layers' functions: batch, layer and group norm. Each is a composite op (mean,
 * variance and elementwise arithmetic), so autograd differentiates the primitives and a backend
 * may register a fused kernel. Batch norm also has a closed-form derivative of its own
 * ({@link #BATCH_NORM_BACKWARD}, itself a composite) used where its fused kernel ran, and its
 * running statistics are updated by one in-place op ({@link #BATCH_NORM_UPDATE_STATS}).
 * Optional tensors (weight, bias, running statistics) are passed only when present; the
 * attributes say which are there.
 */
public final class NormOps {

    private NormOps() {}

    /** Inputs: x, then runningMean and runningVar if {@code hasRunning}, weight if {@code hasWeight}, bias if {@code hasBias}. */
    public record BatchNormAttrs(boolean training, double eps, boolean hasRunning, boolean hasWeight, boolean hasBias) {}

    /**
     * Inputs: the output gradient gy, x, the per-channel mean and biased variance the forward
     * used, then weight if {@code hasWeight}. {@code training}: the statistics were the batch's,
     * so they depend on x.
     */
    public record BatchNormBackwardAttrs(boolean training, double eps, boolean hasWeight) {}

    /**
     * Targets: runningMean, runningVar; inputs: the batch's mean and biased variance over
     * {@code count} values per channel.
     */
    public record BatchNormStatsAttrs(double momentum, long count) {}

    /** Inputs: x, then weight if {@code hasWeight}, bias if {@code hasBias}. */
    public record LayerNormAttrs(int[] normalizedShape, double eps, boolean hasWeight, boolean hasBias) {}

    /** Inputs: the output gradient gy, x, then weight if {@code hasWeight}. */
    public record LayerNormBackwardAttrs(int[] normalizedShape, double eps, boolean hasWeight) {}

    /** Inputs: x, then weight if {@code hasWeight}, bias if {@code hasBias}. */
    public record GroupNormAttrs(int numGroups, double eps, boolean hasWeight, boolean hasBias) {}

    /**
     * Outputs: the normalised x, and the per-channel mean and biased variance it used (the batch's
     * in training, the running ones otherwise), so the caller can update running statistics
     * without computing them again.
     */
    public static final CompositeOp<BatchNormAttrs> BATCH_NORM = new CompositeOp<>("batch_norm") {
        @Override
        public OutputSpec[] infer(Tensor[] in, BatchNormAttrs a) {
            Tensor x = in[0];
            checkBatchNorm(x, a, in);
            int[] c = {x.shape()[1]};
            return new OutputSpec[] {new OutputSpec(x.shape(), x.dtype()), new OutputSpec(c, x.dtype()), new OutputSpec(c, x.dtype())};
        }

        @Override
        public Tensor[] decompose(Tensor[] in, BatchNormAttrs a) {
            Tensor x = in[0];
            checkBatchNorm(x, a, in);
            int k = 1;
            Tensor mean, var;
            int[] axes = channelComplement(x.dim());
            if (a.training()) {
                mean = ReductionOps.mean(x, axes, false);
                var = ReductionOps.var(x, axes, 0, false);
            } else {
                mean = in[k].to(x.dtype());
                var = in[k + 1].to(x.dtype());
            }
            if (a.hasRunning()) k += 2;
            int[] bshape = channelShape(x);
            Tensor y = x.sub(mean.reshape(bshape)).mul(var.add(a.eps()).rsqrt().reshape(bshape));
            if (a.hasWeight()) y = y.mul(in[k++].reshape(bshape));
            if (a.hasBias()) y = y.add(in[k].reshape(bshape));
            return new Tensor[] {y, mean, var};
        }

        /**
         * The closed form ({@link #BATCH_NORM_BACKWARD}) when only the normalised output has a
         * gradient; otherwise (a gradient into the statistics, or running statistics that need
         * one) the decomposition's derivative.
         */
        @Override
        public Tensor[] vjp(VjpContext<BatchNormAttrs> ctx) {
            BatchNormAttrs a = ctx.attrs();
            boolean runningNeedGrad = a.hasRunning() && (ctx.needsInputGrad(1) || ctx.needsInputGrad(2));
            if (ctx.hasGrad(1) || ctx.hasGrad(2) || runningNeedGrad) return super.vjp(ctx);
            int w = a.hasRunning() ? 3 : 1, b = w + (a.hasWeight() ? 1 : 0);
            // in training the statistics are this op's outputs, so under createGraph the second
            // derivative reaches x through them; in evaluation they are constants here
            Tensor mean = a.training() ? ctx.output(1) : ctx.output(1).detach();
            Tensor var = a.training() ? ctx.output(2) : ctx.output(2).detach();
            Tensor[] in = a.hasWeight()
                    ? new Tensor[] {ctx.grad(0), ctx.input(0), mean, var, ctx.input(w)}
                    : new Tensor[] {ctx.grad(0), ctx.input(0), mean, var};
            Tensor[] g = Dispatcher.call(BATCH_NORM_BACKWARD, new BatchNormBackwardAttrs(a.training(), a.eps(), a.hasWeight()), in);
            Tensor[] out = new Tensor[ctx.inputCount()];
            if (ctx.needsInputGrad(0)) out[0] = g[0];
            if (a.hasWeight() && ctx.needsInputGrad(w)) out[w] = g[1];
            if (a.hasBias() && ctx.needsInputGrad(b)) out[b] = g[2];
            return out;
        }
    };

    /**
     * The derivative of batch norm in closed form. Outputs: the input gradient, the sum over
     * (N, spatial) of gy * xhat (the weight's gradient) and of gy (the bias's), where
     * xhat = (x - mean) / sqrt(var + eps). In training, with M values per channel,
     * {@code gx = w / sqrt(var + eps) * (gy - sum(gy) / M - xhat * sum(gy * xhat) / M)};
     * otherwise {@code gx = gy * w / sqrt(var + eps)}. Its own derivative differentiates the
     * decomposition, so double backward works.
     */
    public static final CompositeOp<BatchNormBackwardAttrs> BATCH_NORM_BACKWARD = new CompositeOp<>("batch_norm_backward") {
        @Override
        public OutputSpec[] infer(Tensor[] in, BatchNormBackwardAttrs a) {
            checkBatchNormBackward(in, a);
            Tensor x = in[1];
            int[] c = {x.shape()[1]};
            return new OutputSpec[] {new OutputSpec(x.shape(), x.dtype()), new OutputSpec(c, x.dtype()), new OutputSpec(c, x.dtype())};
        }

        @Override
        public Tensor[] decompose(Tensor[] in, BatchNormBackwardAttrs a) {
            checkBatchNormBackward(in, a);
            Tensor gy = in[0], x = in[1];
            int[] axes = channelComplement(x.dim()), bshape = channelShape(x);
            Tensor invStd = in[3].add(a.eps()).rsqrt();
            Tensor xhat = x.sub(in[2].reshape(bshape)).mul(invStd.reshape(bshape));
            Tensor gb = ReductionOps.sum(gy, axes, false);
            Tensor gw = ReductionOps.sum(gy.mul(xhat), axes, false);
            Tensor scale = a.hasWeight() ? in[4].mul(invStd) : invStd;
            Tensor gx;
            if (a.training()) {
                double m = (double) x.numel() / x.shape()[1];
                gx = gy.sub(gb.div(m).reshape(bshape)).sub(xhat.mul(gw.div(m).reshape(bshape))).mul(scale.reshape(bshape));
            } else {
                gx = gy.mul(scale.reshape(bshape));
            }
            return new Tensor[] {gx, gw, gb};
        }
    };

    /**
     * Blends a batch's statistics into the running ones, in place, as PyTorch does:
     * {@code running = (1 - momentum) * running + momentum * stat}, with the unbiased variance
     * (the biased one times count / (count - 1)).
     */
    public static final InPlaceOp<BatchNormStatsAttrs> BATCH_NORM_UPDATE_STATS = new InPlaceOp<>("batch_norm_update_stats") {
        @Override
        public int targetCount(BatchNormStatsAttrs a) { return 2; }

        @Override
        public OutputSpec[] infer(Tensor[] t, BatchNormStatsAttrs a) {
            if (t.length != 4) throw new IllegalArgumentException("batch_norm_update_stats: expected 4 tensors, got " + t.length);
            String[] names = {"runningMean", "runningVar", "batchMean", "batchVar"};
            for (int i = 0; i < 4; i++) {
                requireFloating("batch_norm_update_stats", t[i]);
                if (t[i].dim() != 1 || t[i].shape()[0] != t[0].numel()) {
                    throw new IllegalArgumentException("batch_norm_update_stats: " + names[i] + " of shape " + Arrays.toString(t[i].shape())
                            + " must be a vector like runningMean " + Arrays.toString(t[0].shape()));
                }
            }
            if (a.count() < 2) throw new IllegalArgumentException("batch_norm_update_stats: count must be at least 2, got " + a.count());
            return new OutputSpec[] {new OutputSpec(t[0].shape(), t[0].dtype()), new OutputSpec(t[1].shape(), t[1].dtype())};
        }

        @Override
        public void fallback(Tensor[] running, Tensor[] batch, BatchNormStatsAttrs a) {
            double m = a.momentum();
            Tensor unbiased = batch[1].mul((double) a.count() / (a.count() - 1));
            running[0].mul_(1 - m).add_(batch[0].mul(m));
            running[1].mul_(1 - m).add_(unbiased.mul(m));
        }

        /** The kernels read each of the few per-channel values in its own dtype. */
        @Override
        public boolean kernelAccepts(Tensor[] tensors, BatchNormStatsAttrs a) { return true; }
    };

    /** (x - mean) / sqrt(var + eps) over the trailing normalised dims, then the optional affine. */
    public static final CompositeOp<LayerNormAttrs> LAYER_NORM = new CompositeOp<>("layer_norm") {
        @Override
        public OutputSpec[] infer(Tensor[] in, LayerNormAttrs a) {
            checkLayerNorm(in, a);
            return new OutputSpec[] {new OutputSpec(in[0].shape(), in[0].dtype())};
        }

        @Override
        public Tensor[] decompose(Tensor[] in, LayerNormAttrs a) {
            checkLayerNorm(in, a);
            Tensor x = in[0];
            int[] axes = new int[a.normalizedShape().length];
            for (int i = 0; i < axes.length; i++) axes[i] = x.dim() - axes.length + i;
            Tensor y = normalize(x, axes, a.eps());
            int k = 1;
            if (a.hasWeight()) y = y.mul(in[k++]);
            if (a.hasBias()) y = y.add(in[k]);
            return new Tensor[] {y};
        }

        /** The closed form, {@link #LAYER_NORM_BACKWARD}. */
        @Override
        public Tensor[] vjp(VjpContext<LayerNormAttrs> ctx) {
            LayerNormAttrs a = ctx.attrs();
            Tensor[] in = a.hasWeight() ? new Tensor[] {ctx.grad(0), ctx.input(0), ctx.input(1)} : new Tensor[] {ctx.grad(0), ctx.input(0)};
            Tensor[] g = Dispatcher.call(LAYER_NORM_BACKWARD, new LayerNormBackwardAttrs(a.normalizedShape(), a.eps(), a.hasWeight()), in);
            Tensor[] out = new Tensor[ctx.inputCount()];
            int b = a.hasWeight() ? 2 : 1;
            if (ctx.needsInputGrad(0)) out[0] = g[0];
            if (a.hasWeight() && ctx.needsInputGrad(1)) out[1] = g[1];
            if (a.hasBias() && ctx.needsInputGrad(b)) out[b] = g[2];
            return out;
        }
    };

    /**
     * The derivative of layer norm in closed form, recomputing each row's mean and variance from
     * x (cheap: the row is read anyway). Outputs: the input gradient, and the sums over the
     * leading dims of gy * xhat (the weight's gradient) and of gy (the bias's). With g = gy * w
     * and D the normalised size, {@code gx = (g - mean(g) - xhat * mean(g * xhat)) / sqrt(var + eps)}
     * per row. Its own derivative differentiates the decomposition, so double backward works.
     */
    public static final CompositeOp<LayerNormBackwardAttrs> LAYER_NORM_BACKWARD = new CompositeOp<>("layer_norm_backward") {
        @Override
        public OutputSpec[] infer(Tensor[] in, LayerNormBackwardAttrs a) {
            checkLayerNormBackward(in, a);
            Tensor x = in[1];
            return new OutputSpec[] {new OutputSpec(x.shape(), x.dtype()), new OutputSpec(a.normalizedShape(), x.dtype()),
                    new OutputSpec(a.normalizedShape(), x.dtype())};
        }

        @Override
        public Tensor[] decompose(Tensor[] in, LayerNormBackwardAttrs a) {
            checkLayerNormBackward(in, a);
            Tensor gy = in[0], x = in[1];
            int k = a.normalizedShape().length, lead = x.dim() - k;
            int[] axes = new int[k], leading = new int[lead];
            for (int i = 0; i < k; i++) axes[i] = lead + i;
            for (int i = 0; i < lead; i++) leading[i] = i;
            Tensor d = x.sub(ReductionOps.mean(x, axes, true));
            Tensor rstd = ReductionOps.mean(d.mul(d), axes, true).add(a.eps()).rsqrt();
            Tensor xhat = d.mul(rstd);
            Tensor gb = lead == 0 ? gy : ReductionOps.sum(gy, leading, false);
            Tensor gw = lead == 0 ? gy.mul(xhat) : ReductionOps.sum(gy.mul(xhat), leading, false);
            Tensor g = a.hasWeight() ? gy.mul(in[2]) : gy;
            Tensor gx = g.sub(ReductionOps.mean(g, axes, true)).sub(xhat.mul(ReductionOps.mean(g.mul(xhat), axes, true))).mul(rstd);
            return new Tensor[] {gx, gw, gb};
        }
    };

    /** Normalises each sample's channel groups (with their spatial positions), then the per-channel affine. */
    public static final CompositeOp<GroupNormAttrs> GROUP_NORM = new CompositeOp<>("group_norm") {
        @Override
        public OutputSpec[] infer(Tensor[] in, GroupNormAttrs a) {
            checkGroupNorm(in, a);
            return new OutputSpec[] {new OutputSpec(in[0].shape(), in[0].dtype())};
        }

        @Override
        public Tensor[] decompose(Tensor[] in, GroupNormAttrs a) {
            checkGroupNorm(in, a);
            Tensor x = in[0];
            int[] s = x.shape();
            long perGroup = s[1] / a.numGroups();
            for (int i = 2; i < s.length; i++) perGroup *= s[i];
            Tensor y = normalize(x.reshape(s[0], a.numGroups(), Math.toIntExact(perGroup)), new int[] {2}, a.eps()).reshape(s);
            int[] bshape = channelShape(x);
            int k = 1;
            if (a.hasWeight()) y = y.mul(in[k++].reshape(bshape));
            if (a.hasBias()) y = y.add(in[k].reshape(bshape));
            return new Tensor[] {y};
        }
    };

    // ---------------------------------------------------------------- functions

    /**
     * Batch normalisation of x [N, C, ...] per channel C. In training it normalises with the
     * batch's statistics and, when running statistics are given, updates them in place (no
     * gradient) as {@code running = (1 - momentum) * running + momentum * batchStat}, using the
     * unbiased variance, as PyTorch; otherwise it normalises with the running statistics.
     * <pre>{@code
     * Tensor rm = Tensor.zeros(16), rv = Tensor.ones(16);
     * Tensor y = NormOps.batchNorm(x, rm, rv, gamma, beta, true, 0.1, 1e-5);
     * }</pre>
     */
    public static Tensor batchNorm(Tensor x, Tensor runningMean, Tensor runningVar, Tensor weight, Tensor bias,
                                   boolean training, double momentum, double eps) {
        if ((runningMean == null) != (runningVar == null)) {
            throw new IllegalArgumentException("batch_norm: runningMean and runningVar must both be given or both be null");
        }
        if (!training && runningMean == null) {
            throw new IllegalArgumentException("batch_norm: running statistics are required in evaluation mode (training = false)");
        }
        // in training the forward does not read the running statistics, so they are not its
        // inputs: the autograd node would otherwise save them and refuse their update below
        boolean passRunning = runningMean != null && !training;
        if (runningMean != null && !passRunning && x.dim() >= 2) {
            checkVector("batch_norm", "runningMean", runningMean, x.shape()[1], x);
            checkVector("batch_norm", "runningVar", runningVar, x.shape()[1], x);
        }
        Tensor[] in = inputs(x, passRunning ? runningMean : null, passRunning ? runningVar : null, weight, bias);
        BatchNormAttrs a = new BatchNormAttrs(training, eps, passRunning, weight != null, bias != null);
        Tensor[] out = Dispatcher.call(BATCH_NORM, a, in);
        if (training && runningMean != null) {
            long n = x.numel() / x.shape()[1];
            try (var off = Tensor.noGrad()) {
                Dispatcher.update(BATCH_NORM_UPDATE_STATS, new BatchNormStatsAttrs(momentum, n),
                        runningMean, runningVar, out[1].detach(), out[2].detach());
            }
        }
        return out[0];
    }

    /**
     * Layer normalisation over the trailing dimensions {@code normalizedShape}, with optional
     * elementwise weight and bias of that shape.
     * <pre>{@code Tensor y = NormOps.layerNorm(x, new int[] {512}, gamma, beta, 1e-5); // x [B, T, 512]}</pre>
     */
    public static Tensor layerNorm(Tensor x, int[] normalizedShape, Tensor weight, Tensor bias, double eps) {
        if (normalizedShape == null) throw new IllegalArgumentException("layer_norm: normalizedShape must not be null");
        return Dispatcher.call1(LAYER_NORM, new LayerNormAttrs(normalizedShape.clone(), eps, weight != null, bias != null),
                inputs(x, weight, bias));
    }

    /**
     * Group normalisation of x [N, C, ...]: channels split into {@code numGroups} groups, each
     * normalised over its channels and spatial positions; optional per-channel weight and bias.
     * <pre>{@code Tensor y = NormOps.groupNorm(x, 8, gamma, beta, 1e-5); // x [N, 32, H, W]}</pre>
     */
    public static Tensor groupNorm(Tensor x, int numGroups, Tensor weight, Tensor bias, double eps) {
        return Dispatcher.call1(GROUP_NORM, new GroupNormAttrs(numGroups, eps, weight != null, bias != null), inputs(x, weight, bias));
    }

    // ---------------------------------------------------------------- helpers

    /** (x - mean) / sqrt(biased var + eps) over {@code axes}, keeping x's shape. */
    private static Tensor normalize(Tensor x, int[] axes, double eps) {
        Tensor d = x.sub(ReductionOps.mean(x, axes, true));
        Tensor var = ReductionOps.mean(d.mul(d), axes, true);
        return d.mul(var.add(eps).rsqrt());
    }

    private static Tensor[] inputs(Tensor... maybe) {
        return Arrays.stream(maybe).filter(t -> t != null).toArray(Tensor[]::new);
    }

    /** Every axis but the channel axis 1. */
    private static int[] channelComplement(int rank) {
        int[] axes = new int[rank - 1];
        axes[0] = 0;
        for (int i = 2; i < rank; i++) axes[i - 1] = i;
        return axes;
    }

    /** [1, C, 1, ...] so a per-channel vector broadcasts against x. */
    private static int[] channelShape(Tensor x) {
        int[] s = new int[x.dim()];
        Arrays.fill(s, 1);
        s[1] = x.shape()[1];
        return s;
    }

    private static void requireFloating(String op, Tensor x) {
        if (!x.dtype().isFloating()) {
            throw new IllegalArgumentException(op + ": expected a floating input, got " + x.dtype() + " (shape "
                    + Arrays.toString(x.shape()) + "); convert it first with .to(DType.F32)");
        }
    }

    private static void checkVector(String op, String what, Tensor t, int c, Tensor x) {
        if (t.dim() != 1 || t.shape()[0] != c) {
            throw new IllegalArgumentException(op + ": " + what + " of shape " + Arrays.toString(t.shape()) + " must have shape [" + c
                    + "] for input of shape " + Arrays.toString(x.shape()));
        }
    }

    private static void checkBatchNorm(Tensor x, BatchNormAttrs a, Tensor[] in) {
        requireFloating("batch_norm", x);
        if (x.dim() < 2) {
            throw new IllegalArgumentException("batch_norm: input of shape " + Arrays.toString(x.shape())
                    + " must have at least 2 dimensions [N, C, ...]");
        }
        if (!a.training() && !a.hasRunning()) {
            throw new IllegalArgumentException("batch_norm: running statistics are required in evaluation mode (training = false)");
        }
        int c = x.shape()[1];
        int k = 1;
        if (a.hasRunning()) {
            checkVector("batch_norm", "runningMean", in[k++], c, x);
            checkVector("batch_norm", "runningVar", in[k++], c, x);
        }
        if (a.hasWeight()) checkVector("batch_norm", "weight", in[k++], c, x);
        if (a.hasBias()) checkVector("batch_norm", "bias", in[k], c, x);
        if (a.training() && x.numel() / Math.max(1, c) <= 1 && x.numel() > 0) {
            throw new IllegalArgumentException("batch_norm: expected more than 1 value per channel when training, got input of shape "
                    + Arrays.toString(x.shape()));
        }
    }

    private static void checkBatchNormBackward(Tensor[] in, BatchNormBackwardAttrs a) {
        int expected = a.hasWeight() ? 5 : 4;
        if (in.length != expected) {
            throw new IllegalArgumentException("batch_norm_backward: expected " + expected + " inputs (gy, x, mean, var"
                    + (a.hasWeight() ? ", weight" : "") + "), got " + in.length);
        }
        Tensor gy = in[0], x = in[1];
        requireFloating("batch_norm_backward", x);
        if (x.dim() < 2 || !Arrays.equals(gy.shape(), x.shape())) {
            throw new IllegalArgumentException("batch_norm_backward: gradient of shape " + Arrays.toString(gy.shape())
                    + " and input of shape " + Arrays.toString(x.shape()) + " must be equal and have at least 2 dimensions [N, C, ...]");
        }
        int c = x.shape()[1];
        checkVector("batch_norm_backward", "mean", in[2], c, x);
        checkVector("batch_norm_backward", "var", in[3], c, x);
        if (a.hasWeight()) checkVector("batch_norm_backward", "weight", in[4], c, x);
    }

    private static void checkLayerNorm(Tensor[] in, LayerNormAttrs a) {
        Tensor x = in[0];
        requireFloating("layer_norm", x);
        int[] ns = a.normalizedShape(), s = x.shape();
        boolean ok = ns.length > 0 && ns.length <= s.length;
        for (int i = 0; ok && i < ns.length; i++) ok = s[s.length - ns.length + i] == ns[i];
        if (!ok) {
            throw new IllegalArgumentException("layer_norm: normalizedShape " + Arrays.toString(ns)
                    + " must be non-empty and equal the trailing dimensions of input of shape " + Arrays.toString(s));
        }
        int k = 1;
        if (a.hasWeight()) checkAffine("layer_norm", "weight", in[k++], ns);
        if (a.hasBias()) checkAffine("layer_norm", "bias", in[k], ns);
    }

    private static void checkLayerNormBackward(Tensor[] in, LayerNormBackwardAttrs a) {
        int expected = a.hasWeight() ? 3 : 2;
        if (in.length != expected) {
            throw new IllegalArgumentException("layer_norm_backward: expected " + expected + " inputs (gy, x"
                    + (a.hasWeight() ? ", weight" : "") + "), got " + in.length);
        }
        if (!Arrays.equals(in[0].shape(), in[1].shape())) {
            throw new IllegalArgumentException("layer_norm_backward: gradient of shape " + Arrays.toString(in[0].shape())
                    + " must have the shape of the input " + Arrays.toString(in[1].shape()));
        }
        Tensor[] forward = a.hasWeight() ? new Tensor[] {in[1], in[2]} : new Tensor[] {in[1]};
        checkLayerNorm(forward, new LayerNormAttrs(a.normalizedShape(), a.eps(), a.hasWeight(), false));
    }

    private static void checkAffine(String op, String what, Tensor t, int[] shape) {
        if (!Arrays.equals(t.shape(), shape)) {
            throw new IllegalArgumentException(op + ": " + what + " of shape " + Arrays.toString(t.shape())
                    + " must have the normalized shape " + Arrays.toString(shape));
        }
    }

    private static void checkGroupNorm(Tensor[] in, GroupNormAttrs a) {
        Tensor x = in[0];
        requireFloating("group_norm", x);
        if (x.dim() < 2) {
            throw new IllegalArgumentException("group_norm: input of shape " + Arrays.toString(x.shape())
                    + " must have at least 2 dimensions [N, C, ...]");
        }
        int c = x.shape()[1];
        if (a.numGroups() <= 0 || c % a.numGroups() != 0) {
            throw new IllegalArgumentException("group_norm: " + c + " channels (input of shape " + Arrays.toString(x.shape())
                    + ") cannot be split into " + a.numGroups() + " groups; numGroups must be positive and divide the channel count");
        }
        int k = 1;
        if (a.hasWeight()) checkVector("group_norm", "weight", in[k++], c, x);
        if (a.hasBias()) checkVector("group_norm", "bias", in[k], c, x);
    }
}
