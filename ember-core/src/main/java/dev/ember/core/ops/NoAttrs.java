package dev.ember.core.ops;

/** Attributes of an op that has none. */
public enum NoAttrs { INSTANCE }
