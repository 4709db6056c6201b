package dev.ember.core.ops;

/** The normalised, sorted axes a reduction runs over, and whether they stay as size-1 dimensions. */
public record ReduceAttrs(int[] axes, boolean keepDim) {}
