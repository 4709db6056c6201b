package dev.ember.apps.segmentation;

import dev.ember.core.Tensor;
import dev.ember.core.autograd.GradMode;
import dev.ember.train.data.Batch;
import dev.ember.train.trainer.EpochMetric;

/**
 * Dice of the thresholded prediction (logit > 0) against the mask (target > 0.5), summed over
 * every pixel of the epoch: {@code 2 |P and T| / (|P| + |T|)}. Logits smaller than the target
 * are resized to it bilinearly first, so with native-size targets this is the Dice at the
 * scan's resolution.
 *
 * <pre>{@code
 * Trainer.builder().metrics(DiceMetric::new).monitor("val_dice", true, 0) ...
 * }</pre>
 */
public final class DiceMetric implements EpochMetric {

    private double intersection, predicted, truth;

    @Override public String name() { return "dice"; }

    @Override public void reset() { intersection = predicted = truth = 0; }

    @Override
    public void update(Tensor output, Batch batch) {
        try (var g = GradMode.disable()) {
            Tensor t = batch.target();
            Tensor pred = SlicePrep.toNative(output, t.shape(2), t.shape(3)).gt(0).to(t.dtype());
            Tensor truthMask = t.gt(0.5).to(t.dtype());
            intersection += pred.mul(truthMask).sum().item();
            predicted += pred.sum().item();
            truth += truthMask.sum().item();
        }
    }

    @Override
    public double value() { return predicted + truth == 0 ? 1.0 : 2 * intersection / (predicted + truth); }

    @Override public double[] state() { return new double[] {intersection, predicted, truth}; }

    @Override
    public void restore(double[] s) {
        intersection = s[0];
        predicted = s[1];
        truth = s[2];
    }
}
