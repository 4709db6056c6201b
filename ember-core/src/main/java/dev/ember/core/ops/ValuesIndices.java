package dev.ember.core.ops;

import dev.ember.core.Tensor;

/** The result of max/min along a dimension: the values and the i64 indices where they occur. */
public record ValuesIndices(Tensor values, Tensor indices) {}
