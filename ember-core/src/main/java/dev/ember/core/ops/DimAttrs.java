package dev.ember.core.ops;

/** The (normalised) dimension an indexing op works along. */
public record DimAttrs(int dim) {}
