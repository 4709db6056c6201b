package dev.ember.train.trainer;

import dev.ember.core.Tensor;
import dev.ember.train.data.Batch;

/** A metric the Trainer accumulates over the batches of an epoch (accuracy, Dice, ...). */
public interface EpochMetric {

    String name();

    void reset();

    /** Adds one batch: the model's output and the batch it was computed from. */
    void update(Tensor output, Batch batch);

    double value();

    /** For resuming mid-epoch: the accumulated sums, and their restoration. */
    double[] state();

    void restore(double[] state);
}
