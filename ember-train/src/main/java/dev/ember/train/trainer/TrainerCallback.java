package dev.ember.train.trainer;

import java.util.Map;

/** Hooks into the training loop: progress, logs, plots, best-model saving, early stopping. */
public interface TrainerCallback {

    default void onFitStart(Trainer trainer) {}

    default void onEpochStart(Trainer trainer, int epoch, int startBatch, int batches) {}

    /** After each optimizer step; {@code loss} is the running mean loss of the epoch so far. */
    default void onBatchEnd(Trainer trainer, int epoch, int batch, double loss) {}

    /** After validation; {@code record} holds epoch, train_loss, val_loss, the metrics and lr. */
    default void onEpochEnd(Trainer trainer, int epoch, Map<String, Double> record) {}

    default void onFitEnd(Trainer trainer) {}
}
