package dev.ember.core.ops;

import dev.ember.core.DType;
import dev.ember.core.Shapes;
import dev.ember.core.Tensor;
import dev.ember.core.dispatch.Dispatcher;

import java.util.Arrays;

/**
 * Loss functions, each a {@link CompositeOp} written with other ops (so autograd differentiates
 * the primitives and a backend may fuse any of them), with PyTorch's semantics: class-index
 * targets, class weights, an ignored index, label smoothing and the weighted mean.
 *
 * <pre>{@code
 * Tensor logits = model.forward(x);                       // [N, C]
 * Tensor loss = LossOps.crossEntropy(logits, labels);     // labels: i64 [N]
 * loss.backward();
 * }</pre>
 */
public final class LossOps {

    private LossOps() {}

    /** PyTorch's default {@code ignore_index}. */
    public static final int DEFAULT_IGNORE_INDEX = -100;

    /** Attributes of the class-index losses; inputs are (scores, target) plus the weight when {@code weighted}. */
    public record ClassLossAttrs(boolean weighted, int ignoreIndex, double labelSmoothing, Reduction reduction) {}

    /** Attributes of the binary losses; optional inputs follow (input, target) in the order weight, posWeight. */
    public record BinaryLossAttrs(boolean weighted, boolean posWeighted, Reduction reduction) {}

    public static final CompositeOp<ClassLossAttrs> CROSS_ENTROPY = new CompositeOp<>("cross_entropy") {
        @Override
        public OutputSpec[] infer(Tensor[] in, ClassLossAttrs a) { return inferClassLoss(name(), in, a); }

        @Override
        public Tensor[] decompose(Tensor[] in, ClassLossAttrs a) {
            infer(in, a);
            Tensor logits = in[0];
            Tensor weight = a.weighted() ? in[2] : null;
            if (in[1].dtype().isFloating()) return new Tensor[] {probabilityTargets(logits, in[1], weight, a)};
            boolean vector = logits.dim() == 1;
            Tensor scores = vector ? logits.unsqueeze(0) : logits;
            Tensor target = vector ? in[1].reshape(1) : in[1];
            Tensor loss = classLoss(name(), ReductionOps.logSoftmax(scores, 1), target, weight, a);
            return new Tensor[] {vector && a.reduction() == Reduction.NONE ? loss.reshape() : loss};
        }
    };

    public static final CompositeOp<ClassLossAttrs> NLL_LOSS = new CompositeOp<>("nll_loss") {
        @Override
        public OutputSpec[] infer(Tensor[] in, ClassLossAttrs a) {
            if (in[1].dtype().isFloating()) {
                throw new IllegalArgumentException("nll_loss: target must hold class indices (an integer tensor), got " + in[1].dtype()
                        + " of shape " + Arrays.toString(in[1].shape()));
            }
            return inferClassLoss(name(), in, a);
        }

        @Override
        public Tensor[] decompose(Tensor[] in, ClassLossAttrs a) {
            infer(in, a);
            boolean vector = in[0].dim() == 1;
            Tensor lp = vector ? in[0].unsqueeze(0) : in[0];
            Tensor target = vector ? in[1].reshape(1) : in[1];
            Tensor loss = classLoss(name(), lp, target, a.weighted() ? in[2] : null, a);
            return new Tensor[] {vector && a.reduction() == Reduction.NONE ? loss.reshape() : loss};
        }
    };

    public static final CompositeOp<Reduction> MSE_LOSS = new CompositeOp<>("mse_loss") {
        @Override
        public OutputSpec[] infer(Tensor[] in, Reduction r) { return inferPointwise(name(), in[0], in[1], r); }

        @Override
        public Tensor[] decompose(Tensor[] in, Reduction r) {
            infer(in, r);
            Tensor d = in[0].sub(in[1]);
            return new Tensor[] {reduce(d.mul(d), r)};
        }
    };

    public static final CompositeOp<Reduction> L1_LOSS = new CompositeOp<>("l1_loss") {
        @Override
        public OutputSpec[] infer(Tensor[] in, Reduction r) { return inferPointwise(name(), in[0], in[1], r); }

        @Override
        public Tensor[] decompose(Tensor[] in, Reduction r) {
            infer(in, r);
            return new Tensor[] {reduce(in[0].sub(in[1]).abs(), r)};
        }
    };

    /** exp(-100): below it, log would fall under PyTorch's -100 clamp anyway. */
    private static final double EXP_MINUS_100 = Math.exp(-100);

    public static final CompositeOp<BinaryLossAttrs> BINARY_CROSS_ENTROPY = new CompositeOp<>("binary_cross_entropy") {
        @Override
        public OutputSpec[] infer(Tensor[] in, BinaryLossAttrs a) { return inferBinary(name(), in, a); }

        @Override
        public Tensor[] decompose(Tensor[] in, BinaryLossAttrs a) {
            infer(in, a);
            Tensor p = in[0], t = in[1];
            // clamping the argument first keeps log and its derivative finite at p = 0 or 1,
            // where the result saturates at PyTorch's -100 and the gradient is zero
            Tensor logP = p.clamp(EXP_MINUS_100, Double.NaN).log().clamp(-100, Double.NaN);
            Tensor log1mP = p.neg().add(1).clamp(EXP_MINUS_100, Double.NaN).log().clamp(-100, Double.NaN);
            Tensor loss = t.mul(logP).add(t.neg().add(1).mul(log1mP)).neg();
            if (a.weighted()) loss = loss.mul(in[2]);
            return new Tensor[] {reduce(loss, a.reduction())};
        }
    };

    public static final CompositeOp<BinaryLossAttrs> BINARY_CROSS_ENTROPY_WITH_LOGITS = new CompositeOp<>("binary_cross_entropy_with_logits") {
        @Override
        public OutputSpec[] infer(Tensor[] in, BinaryLossAttrs a) { return inferBinary(name(), in, a); }

        @Override
        public Tensor[] decompose(Tensor[] in, BinaryLossAttrs a) {
            infer(in, a);
            Tensor x = in[0], t = in[1];
            // -[pw t log s(x) + (1 - t) log(1 - s(x))] = (1 - t) x + (1 + (pw - 1) t) softplus(-x),
            // and softplus never overflows
            Tensor sp = x.neg().softplus();
            Tensor logWeight = a.posWeighted() ? in[a.weighted() ? 3 : 2].sub(1).mul(t).add(1) : null;
            Tensor loss = t.neg().add(1).mul(x).add(logWeight == null ? sp : logWeight.mul(sp));
            if (a.weighted()) loss = loss.mul(in[2]);
            return new Tensor[] {reduce(loss, a.reduction())};
        }
    };

    // ---------------------------------------------------------------- functions

    /** Cross entropy with PyTorch's defaults: no class weights, ignore index -100, no smoothing, mean. */
    public static Tensor crossEntropy(Tensor logits, Tensor target) {
        return crossEntropy(logits, target, null, DEFAULT_IGNORE_INDEX, 0, Reduction.MEAN);
    }

    /**
     * Cross entropy between unnormalised scores and class indices, as
     * {@code torch.nn.functional.cross_entropy}.
     *
     * <p>{@code logits} is {@code [N, C]}, {@code [N, C, d1, ...]} or {@code [C]}; {@code target}
     * holds class indices (i64 or i32) of shape {@code [N]}, {@code [N, d1, ...]} or {@code []},
     * or class probabilities of the logits' shape (floating). {@code weight} (nullable) is a
     * {@code [C]} rescaling of each class. Targets equal to {@code ignoreIndex} contribute
     * nothing and are left out of the mean, whose denominator is the sum of the weights of the
     * counted targets. With label smoothing {@code e}, the target distribution is
     * {@code (1 - e) * onehot + e / C}.
     *
     * <pre>{@code
     * Tensor loss = LossOps.crossEntropy(logits, labels, classWeights, -100, 0.1, Reduction.MEAN);
     * }</pre>
     */
    public static Tensor crossEntropy(Tensor logits, Tensor target, Tensor weight, int ignoreIndex, double labelSmoothing, Reduction r) {
        if (!(labelSmoothing >= 0 && labelSmoothing <= 1)) {
            throw new IllegalArgumentException("cross_entropy: labelSmoothing must be in [0, 1], got " + labelSmoothing);
        }
        return classCall(CROSS_ENTROPY, logits, target, weight, ignoreIndex, labelSmoothing, r);
    }

    /**
     * Negative log-likelihood of class indices under log-probabilities, as
     * {@code torch.nn.functional.nll_loss}; shapes, weights, ignore index and mean as in
     * {@link #crossEntropy(Tensor, Tensor, Tensor, int, double, Reduction)}.
     *
     * <pre>{@code
     * Tensor loss = LossOps.nllLoss(logits.logSoftmax(1), labels, null, -100, Reduction.MEAN);
     * }</pre>
     */
    public static Tensor nllLoss(Tensor logProbs, Tensor target, Tensor weight, int ignoreIndex, Reduction r) {
        return classCall(NLL_LOSS, logProbs, target, weight, ignoreIndex, 0, r);
    }

    /**
     * Squared error; input and target have the same shape.
     *
     * <pre>{@code
     * Tensor loss = LossOps.mseLoss(prediction, target, Reduction.MEAN);
     * }</pre>
     */
    public static Tensor mseLoss(Tensor input, Tensor target, Reduction r) {
        return Dispatcher.call1(MSE_LOSS, requireReduction("mse_loss", r), input, target.to(input.dtype()));
    }

    /**
     * Absolute error; input and target have the same shape.
     *
     * <pre>{@code
     * Tensor loss = LossOps.l1Loss(prediction, target, Reduction.SUM);
     * }</pre>
     */
    public static Tensor l1Loss(Tensor input, Tensor target, Reduction r) {
        return Dispatcher.call1(L1_LOSS, requireReduction("l1_loss", r), input, target.to(input.dtype()));
    }

    /**
     * Binary cross entropy of probabilities in [0, 1], with each log clamped at -100 as in
     * PyTorch (so a probability of exactly 0 or 1 gives a finite loss). {@code weight}
     * (nullable) broadcasts to the input's shape.
     *
     * <pre>{@code
     * Tensor loss = LossOps.binaryCrossEntropy(logits.sigmoid(), labels, null, Reduction.MEAN);
     * }</pre>
     */
    public static Tensor binaryCrossEntropy(Tensor probs, Tensor target, Tensor weight, Reduction r) {
        requireReduction("binary_cross_entropy", r);
        Tensor[] in = weight == null ? new Tensor[] {probs, target.to(probs.dtype())}
                : new Tensor[] {probs, target.to(probs.dtype()), weight.to(probs.dtype())};
        return Dispatcher.call1(BINARY_CROSS_ENTROPY, new BinaryLossAttrs(weight != null, false, r), in);
    }

    /**
     * Sigmoid followed by binary cross entropy, in the numerically stable form. {@code weight}
     * (nullable) broadcasts to the input's shape; {@code posWeight} (nullable) weighs the
     * positive term per class and broadcasts along the last dimension.
     *
     * <pre>{@code
     * Tensor loss = LossOps.binaryCrossEntropyWithLogits(logits, labels, null, Tensor.of(3f), Reduction.MEAN);
     * }</pre>
     */
    public static Tensor binaryCrossEntropyWithLogits(Tensor logits, Tensor target, Tensor weight, Tensor posWeight, Reduction r) {
        requireReduction("binary_cross_entropy_with_logits", r);
        DType d = logits.dtype();
        Tensor[] in = new Tensor[2 + (weight != null ? 1 : 0) + (posWeight != null ? 1 : 0)];
        in[0] = logits;
        in[1] = target.to(d);
        int k = 2;
        if (weight != null) in[k++] = weight.to(d);
        if (posWeight != null) in[k] = posWeight.to(d);
        return Dispatcher.call1(BINARY_CROSS_ENTROPY_WITH_LOGITS, new BinaryLossAttrs(weight != null, posWeight != null, r), in);
    }

    // ---------------------------------------------------------------- shared parts

    private static Tensor classCall(CompositeOp<ClassLossAttrs> op, Tensor scores, Tensor target, Tensor weight, int ignoreIndex,
                                    double smoothing, Reduction r) {
        requireReduction(op.name(), r);
        if (target == null) throw new IllegalArgumentException(op.name() + ": target must not be null");
        Tensor t = target.dtype().isFloating() ? target.to(scores.dtype()) : IndexingOps.asIndex(op.name(), "target", target);
        ClassLossAttrs a = new ClassLossAttrs(weight != null, ignoreIndex, smoothing, r);
        return weight == null ? Dispatcher.call1(op, a, scores, t) : Dispatcher.call1(op, a, scores, t, weight.to(scores.dtype()));
    }

    private static Reduction requireReduction(String op, Reduction r) {
        if (r == null) throw new IllegalArgumentException(op + ": reduction must not be null (NONE, MEAN or SUM)");
        return r;
    }

    private static OutputSpec[] inferClassLoss(String op, Tensor[] in, ClassLossAttrs a) {
        Tensor x = in[0], target = in[1];
        if (!x.dtype().isFloating()) {
            throw new IllegalArgumentException(op + ": input must be floating, got " + x.dtype() + " of shape " + Arrays.toString(x.shape()));
        }
        if (x.dim() == 0) throw new IllegalArgumentException(op + ": input must have a class dimension, got a 0-dimensional tensor");
        int[] xs = x.shape();
        int classDim = x.dim() == 1 ? 0 : 1;
        int classes = xs[classDim];
        if (target.dtype().isFloating()) {
            if (!Arrays.equals(target.shape(), xs)) {
                throw new IllegalArgumentException(op + ": class-probability target of shape " + Arrays.toString(target.shape())
                        + " must have the input's shape " + Arrays.toString(xs));
            }
        } else {
            IndexingOps.requireI64(op, "target", target);
            int[] expected = new int[xs.length - 1];
            for (int i = 0, k = 0; i < xs.length; i++) if (i != classDim) expected[k++] = xs[i];
            if (!Arrays.equals(target.shape(), expected)) {
                throw new IllegalArgumentException(op + ": target of shape " + Arrays.toString(target.shape()) + " does not match input of shape "
                        + Arrays.toString(xs) + " (expected target shape " + Arrays.toString(expected) + ": the input without its class dimension "
                        + classDim + ")");
            }
        }
        if (a.weighted()) {
            Tensor w = in[2];
            if (w.dim() != 1 || w.shape(0) != classes) {
                throw new IllegalArgumentException(op + ": weight of shape " + Arrays.toString(w.shape()) + " must be [" + classes
                        + "], one per class of the input of shape " + Arrays.toString(xs));
            }
        }
        int[] out = a.reduction() == Reduction.NONE
                ? (target.dtype().isFloating() ? Shapes.reduced(xs, new int[] {classDim}, false) : target.shape())
                : new int[0];
        return new OutputSpec[] {new OutputSpec(out, x.dtype())};
    }

    /**
     * The class-index loss from log-probabilities {@code lp} [N, C, ...] and targets [N, ...]:
     * the weighted negative log-likelihood, mixed with the smoothing term
     * {@code -sum_c w_c lp_c} as PyTorch does, with ignored targets masked out.
     */
    private static Tensor classLoss(String op, Tensor lp, Tensor target, Tensor weight, ClassLossAttrs a) {
        int classes = lp.shape(1);
        Tensor valid = target.ne(Tensor.scalar(a.ignoreIndex(), DType.I64, target.device()));
        Tensor safe = Tensor.where(valid, target, Tensor.scalar(0, DType.I64, target.device()));
        Tensor picked;
        try {
            picked = IndexingOps.gather(lp, 1, safe.unsqueeze(1)).squeeze(1);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(op + ": a target is neither a class index in [0, " + classes + ") nor the ignore index "
                    + a.ignoreIndex() + " (" + e.getMessage() + ")", e);
        }
        Tensor validF = valid.to(lp.dtype());
        Tensor wT = weight == null ? validF : IndexingOps.indexSelect(weight, 0, safe.reshape(-1)).reshape(target.shape()).mul(validF);
        Tensor loss = picked.mul(wT).neg();
        double e = a.labelSmoothing();
        if (e > 0) {
            Tensor smooth = (weight == null ? lp : lp.mul(classShaped(weight, lp.dim()))).sum(1, false).mul(validF).neg();
            loss = loss.mul(1 - e).add(smooth.mul(e / classes));
        }
        return switch (a.reduction()) {
            case NONE -> loss;
            case SUM -> loss.sum();
            case MEAN -> loss.sum().div(wT.sum());
        };
    }

    /** Cross entropy against class probabilities: the mean is over samples, not weights (as PyTorch). */
    private static Tensor probabilityTargets(Tensor logits, Tensor target, Tensor weight, ClassLossAttrs a) {
        int classDim = logits.dim() == 1 ? 0 : 1;
        int classes = logits.shape(classDim);
        Tensor lp = ReductionOps.logSoftmax(logits, classDim);
        Tensor t = a.labelSmoothing() > 0 ? target.mul(1 - a.labelSmoothing()).add(a.labelSmoothing() / classes) : target;
        Tensor terms = lp.mul(t);
        if (weight != null) terms = terms.mul(logits.dim() == 1 ? weight : classShaped(weight, logits.dim()));
        Tensor loss = terms.sum(classDim, false).neg();
        return reduce(loss, a.reduction());
    }

    /** A [C] weight shaped [1, C, 1, ...] to broadcast against [N, C, d1, ...]. */
    private static Tensor classShaped(Tensor w, int rank) {
        int[] s = new int[rank];
        Arrays.fill(s, 1);
        s[1] = w.shape(0);
        return w.reshape(s);
    }

    private static OutputSpec[] inferPointwise(String op, Tensor input, Tensor target, Reduction r) {
        if (!input.dtype().isFloating()) {
            throw new IllegalArgumentException(op + ": input must be floating, got " + input.dtype() + " of shape " + Arrays.toString(input.shape()));
        }
        if (!Arrays.equals(input.shape(), target.shape())) {
            throw new IllegalArgumentException(op + ": input of shape " + Arrays.toString(input.shape()) + " and target of shape "
                    + Arrays.toString(target.shape()) + " differ; reshape one to match (broadcasting a loss is usually a bug)");
        }
        return new OutputSpec[] {new OutputSpec(r == Reduction.NONE ? input.shape() : new int[0], input.dtype())};
    }

    private static OutputSpec[] inferBinary(String op, Tensor[] in, BinaryLossAttrs a) {
        OutputSpec[] spec = inferPointwise(op, in[0], in[1], a.reduction());
        int k = 2;
        if (a.weighted()) requireBroadcastsTo(op, "weight", in[k++], in[0]);
        if (a.posWeighted()) requireBroadcastsTo(op, "posWeight", in[k], in[0]);
        return spec;
    }

    private static void requireBroadcastsTo(String op, String name, Tensor w, Tensor x) {
        int[] b = Shapes.broadcast(op, w.shape(), x.shape());
        if (!Arrays.equals(b, x.shape())) {
            throw new IllegalArgumentException(op + ": " + name + " of shape " + Arrays.toString(w.shape())
                    + " does not broadcast to the input's shape " + Arrays.toString(x.shape()));
        }
    }

    private static Tensor reduce(Tensor loss, Reduction r) {
        return switch (r) {
            case NONE -> loss;
            case SUM -> loss.sum();
            case MEAN -> loss.mean();
        };
    }
}
