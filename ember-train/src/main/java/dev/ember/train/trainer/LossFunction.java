package dev.ember.train.trainer;

import dev.ember.core.Tensor;
import dev.ember.train.data.Batch;

/** The training objective from the model's output and the batch (for example cross-entropy against the targets). */
@FunctionalInterface
public interface LossFunction {
    Tensor apply(Tensor output, Batch batch);
}
