package dev.ember.core.ops;

/** Up to two scalar parameters of a unary op (slope, bounds, exponent, beta and threshold). */
public record UnaryParams(double a, double b) {
    public static final UnaryParams NONE = new UnaryParams(0, 0);
}
