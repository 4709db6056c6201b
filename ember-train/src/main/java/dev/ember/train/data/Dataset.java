package dev.ember.train.data;

/**
 * Examples addressed by index. A dataset hands out whole batches, so that in-memory datasets
 * gather a batch with one indexing op instead of stacking examples one by one.
 */
public interface Dataset {

    int size();

    /** The examples at {@code indices}, stacked along dimension 0. */
    Batch get(int[] indices);
}
