package dev.ember.core.ops;

import dev.ember.core.DType;

import java.util.Arrays;

/** The shape and dtype of one output of an op, as its output rule computes them. */
public record OutputSpec(int[] shape, DType dtype) {
    @Override
    public String toString() { return Arrays.toString(shape) + " " + dtype; }
}
