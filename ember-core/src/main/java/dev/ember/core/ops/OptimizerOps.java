package dev.ember.core.ops;

import dev.ember.core.Tensor;

import java.util.Arrays;

/**
 * Optimizer updates as single in-place ops, so a backend can run a parameter's whole step in
 * one pass over memory instead of a chain of elementwise ops. Each op's {@link InPlaceOp#fallback}
 * is that chain, step for step as {@code torch.optim} computes it, for backends without a kernel.
 * Scalars that depend only on the step count (bias corrections) are computed once per call here
 * from the attributes, not per element.
 */
public final class OptimizerOps {

    private OptimizerOps() {}

    /**
     * SGD as {@code torch.optim.SGD}. Targets: the parameter, then its momentum buffer when
     * {@code momentum != 0}; input: the gradient. {@code firstStep}: the buffer holds no history
     * yet and becomes the (decayed) gradient itself.
     */
    public record SgdStepAttrs(double lr, double momentum, double dampening, double weightDecay, boolean nesterov,
                               boolean firstStep) {
        public boolean hasBuffer() { return momentum != 0; }
    }

    /**
     * Adam, or AdamW when {@code decoupled}, as {@code torch.optim.Adam}/{@code AdamW}, at step
     * {@code step} (1 for the first update). Targets: the parameter, exp_avg, exp_avg_sq, then
     * max_exp_avg_sq when {@code amsgrad}; input: the gradient.
     */
    public record AdamStepAttrs(double lr, double beta1, double beta2, double eps, double weightDecay, boolean decoupled,
                                boolean amsgrad, long step) {
        /** 1 - beta1^step. */
        public double biasCorrection1() { return 1 - Math.pow(beta1, step); }

        /** 1 - beta2^step. */
        public double biasCorrection2() { return 1 - Math.pow(beta2, step); }
    }

    /** One SGD update of a parameter (and its momentum buffer) in place. */
    public static final InPlaceOp<SgdStepAttrs> SGD_STEP = new InPlaceOp<>("sgd_step") {
        @Override
        public int targetCount(SgdStepAttrs a) { return a.hasBuffer() ? 2 : 1; }

        @Override
        public OutputSpec[] infer(Tensor[] t, SgdStepAttrs a) {
            String[] names = a.hasBuffer() ? new String[] {"param", "momentum_buffer", "grad"} : new String[] {"param", "grad"};
            return checkSameShapes("sgd_step", names, t);
        }

        @Override
        public void fallback(Tensor[] targets, Tensor[] inputs, SgdStepAttrs a) {
            Tensor w = targets[0], d = inputs[0];
            if (a.weightDecay() != 0) d = d.add(w.mul(a.weightDecay()));
            if (a.hasBuffer()) {
                Tensor buf = targets[1];
                if (a.firstStep()) buf.copy_(d);
                else buf.mul_(a.momentum()).add_(d, 1 - a.dampening());
                d = a.nesterov() ? d.add(buf.mul(a.momentum())) : buf;
            }
            w.sub_(d.mul(a.lr()));
        }
    };

    /** One Adam/AdamW update of a parameter and its moments in place. */
    public static final InPlaceOp<AdamStepAttrs> ADAM_STEP = new InPlaceOp<>("adam_step") {
        @Override
        public int targetCount(AdamStepAttrs a) { return a.amsgrad() ? 4 : 3; }

        @Override
        public OutputSpec[] infer(Tensor[] t, AdamStepAttrs a) {
            if (a.step() < 1) throw new IllegalArgumentException("adam_step: step must be at least 1, got " + a.step());
            String[] names = a.amsgrad() ? new String[] {"param", "exp_avg", "exp_avg_sq", "max_exp_avg_sq", "grad"}
                    : new String[] {"param", "exp_avg", "exp_avg_sq", "grad"};
            return checkSameShapes("adam_step", names, t);
        }

        @Override
        public void fallback(Tensor[] targets, Tensor[] inputs, AdamStepAttrs a) {
            Tensor w = targets[0], m = targets[1], v = targets[2], grad = inputs[0];
            double lr = a.lr(), wd = a.weightDecay();
            if (wd != 0) {
                if (a.decoupled()) w.mul_(1 - lr * wd);
                else grad = grad.add(w.mul(wd));
            }
            m.mul_(a.beta1()).add_(grad, 1 - a.beta1());
            v.mul_(a.beta2()).add_(grad.mul(grad), 1 - a.beta2());
            Tensor second = v;
            if (a.amsgrad()) second = targets[3].copy_(targets[3].maximum(v));
            Tensor denom = second.sqrt().div(Math.sqrt(a.biasCorrection2())).add(a.eps());
            w.sub_(m.div(denom).mul(lr / a.biasCorrection1()));
        }
    };

    private static OutputSpec[] checkSameShapes(String op, String[] names, Tensor[] t) {
        if (t.length != names.length) {
            throw new IllegalArgumentException(op + ": expected " + names.length + " tensors " + Arrays.toString(names) + ", got " + t.length);
        }
        for (int i = 0; i < t.length; i++) {
            if (!t[i].dtype().isFloating()) {
                throw new IllegalArgumentException(op + ": " + names[i] + " must be floating, got " + t[i].dtype()
                        + " (shape " + Arrays.toString(t[i].shape()) + ")");
            }
            if (!Arrays.equals(t[i].shape(), t[0].shape())) {
                throw new IllegalArgumentException(op + ": " + names[i] + " of shape " + Arrays.toString(t[i].shape())
                        + " must have the shape of " + names[0] + " " + Arrays.toString(t[0].shape()));
            }
        }
        OutputSpec[] specs = new OutputSpec[t.length - 1];
        for (int i = 0; i < specs.length; i++) specs[i] = new OutputSpec(t[i].shape(), t[i].dtype());
        return specs;
    }
}
