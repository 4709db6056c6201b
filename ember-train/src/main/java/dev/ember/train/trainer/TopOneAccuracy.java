package dev.ember.train.trainer;

import dev.ember.core.Tensor;
import dev.ember.train.data.Batch;

/** Fraction of examples whose largest logit is the target class. */
public final class TopOneAccuracy implements EpochMetric {

    private long correct, total;

    @Override public String name() { return "accuracy"; }

    @Override public void reset() { correct = 0; total = 0; }

    @Override
    public void update(Tensor output, Batch batch) {
        long[] pred = output.argmax(1, false).toLongArray();
        long[] target = batch.target().toLongArray();
        for (int i = 0; i < pred.length; i++) if (pred[i] == target[i]) correct++;
        total += pred.length;
    }

    @Override public double value() { return total == 0 ? Double.NaN : correct / (double) total; }

    @Override public double[] state() { return new double[] {correct, total}; }

    @Override public void restore(double[] s) { correct = (long) s[0]; total = (long) s[1]; }
}
