package dev.ember.core.ops;

import dev.ember.core.Tensor;

/**
 * An op that updates tensors in place rather than computing new ones: an optimizer step, a
 * running-statistics update. Its tensors are the targets (the first {@link #targetCount}, updated)
 * followed by the inputs (only read). A backend kernel receives the targets as its outputs,
 * holding their current values, and overwrites them; where the backend has no kernel for the
 * dtype, or a target is not contiguous, {@link #fallback} runs the same update written with other
 * (in-place) ops, so every backend gets it. Either way each target's version counter is bumped,
 * so autograd catches a saved tensor that changed. Not differentiable and not traced: it changes
 * state and makes no tensor that a graph could use.
 *
 * <pre>{@code
 * Dispatcher.update(OptimizerOps.SGD_STEP, new SgdStepAttrs(0.1, 0, 0, 0, false, false), param, grad);
 * }</pre>
 */
public abstract class InPlaceOp<A> extends Op<A> {

    protected InPlaceOp(String name) { super(name); }

    /** How many of the leading tensors the op updates. */
    public abstract int targetCount(A attrs);

    /**
     * Validates all the tensors (targets then inputs); returns the targets' shapes and dtypes.
     * Errors name the op, the tensor and the shapes.
     */
    @Override
    public abstract OutputSpec[] infer(Tensor[] tensors, A attrs);

    /** The update written with other ops, for backends without a kernel (grad mode is off here). */
    public abstract void fallback(Tensor[] targets, Tensor[] inputs, A attrs);

    /**
     * Whether a kernel registered for the first target's dtype can take these tensors; by
     * default only when they all share that dtype (the kernels do not convert).
     */
    public boolean kernelAccepts(Tensor[] tensors, A attrs) {
        for (Tensor t : tensors) if (t.dtype() != tensors[0].dtype()) return false;
        return true;
    }

    @Override
    public final boolean differentiable() { return false; }
}
