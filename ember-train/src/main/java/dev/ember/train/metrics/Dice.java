package dev.ember.train.metrics;

import dev.ember.core.Tensor;

/**
 * Dice coefficient (F1 over pixels) of binary masks, over all pixels of all batches:
 * {@code 2 |P and T| / (|P| + |T|)}. Thresholding as {@link IoU}; both masks empty gives 1.
 *
 * <pre>{@code
 * var dice = new Dice();
 * dice.update(predictedMask, brainMask);
 * double d = dice.compute();
 * }</pre>
 */
public final class Dice {

    private final MaskOverlap overlap;

    public Dice() { this(0.5); }

    public Dice(double threshold) { overlap = new MaskOverlap("Dice", threshold); }

    public void update(Tensor pred, Tensor target) { overlap.add("Dice", pred, target); }

    public double compute() {
        long sizes = overlap.predicted + overlap.actual;
        return sizes == 0 ? 1.0 : 2.0 * overlap.intersection / sizes;
    }

    public void reset() { overlap.reset(); }
}
