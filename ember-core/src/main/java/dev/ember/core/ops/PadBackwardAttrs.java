package dev.ember.core.ops;

/** The gradient of a reflect/replicate pad: the unpadded input's shape and the padding used. */
public record PadBackwardAttrs(int[] inputShape, PadAttrs pad) {}
