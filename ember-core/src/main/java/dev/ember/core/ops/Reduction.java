package dev.ember.core.ops;

/**
 * How a loss turns per-element losses into its result, as PyTorch's {@code reduction} argument.
 *
 * <pre>{@code
 * Tensor perSample = LossOps.mseLoss(pred, target, Reduction.NONE);
 * }</pre>
 */
public enum Reduction {
    /** The per-element losses, unreduced. */
    NONE,
    /** Their mean (for class-weighted losses, divided by the total weight, as PyTorch). */
    MEAN,
    /** Their sum. */
    SUM
}
