package dev.ember.train.trainer;

import dev.ember.core.Tensor;
import dev.ember.train.data.Batch;
import dev.ember.train.metrics.Accuracy;

/** {@link Accuracy} (largest logit equals the target class) as a Trainer metric. */
public final class TopOneAccuracy implements EpochMetric {

    private final Accuracy accuracy = new Accuracy();

    @Override public String name() { return "accuracy"; }

    @Override public void reset() { accuracy.reset(); }

    @Override public void update(Tensor output, Batch batch) { accuracy.update(output, batch.target()); }

    @Override public double value() { return accuracy.compute(); }

    @Override public double[] state() { return new double[] {accuracy.correct(), accuracy.total()}; }

    @Override public void restore(double[] s) { accuracy.restore((long) s[0], (long) s[1]); }
}
