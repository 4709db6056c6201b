package dev.ember.train.metrics;

import dev.ember.core.Tensor;

/**
 * Intersection over union (Jaccard index) of binary masks, over all pixels of all batches:
 * {@code |P and T| / |P or T|}. A prediction pixel is positive when above the threshold
 * (default 0.5, so probabilities, 0/1 labels and bool masks all work); a target pixel when
 * non-zero. When both masks are empty the score is 1 (nothing to find, nothing found).
 *
 * <pre>{@code
 * var iou = new IoU();
 * iou.update(model.forward(x).sigmoid(), mask);
 * double v = iou.compute();
 * }</pre>
 */
public final class IoU {

    private final MaskOverlap overlap;

    public IoU() { this(0.5); }

    public IoU(double threshold) { overlap = new MaskOverlap("IoU", threshold); }

    public void update(Tensor pred, Tensor target) { overlap.add("IoU", pred, target); }

    public double compute() {
        long union = overlap.predicted + overlap.actual - overlap.intersection;
        return union == 0 ? 1.0 : (double) overlap.intersection / union;
    }

    public void reset() { overlap.reset(); }
}
