package dev.ember.train.data;

import java.util.Iterator;

/**
 * Batches in an order fixed by the epoch number, so a run stopped at batch k of epoch e can be
 * resumed exactly there ({@link DataLoader} is the usual implementation).
 */
public interface BatchSource {

    int batchesPerEpoch();

    /** The batches of {@code epoch} from {@code startBatch} on. */
    Iterator<Batch> epoch(int epoch, int startBatch);

    /** Number of examples, for progress and averaging. */
    int exampleCount();
}
