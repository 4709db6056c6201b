package dev.ember.infer.optimize;

/**
 * A value of a {@link Graph}: the model's input, a constant (by index), or output
 * {@code output} of node {@code node}.
 */
record Ref(int node, int output) {

    private static final int INPUT = -1, CONSTANT = -2;

    static Ref input() { return new Ref(INPUT, 0); }

    static Ref constant(int index) { return new Ref(CONSTANT, index); }

    static Ref of(int node, int output) { return new Ref(node, output); }

    boolean isInput() { return node == INPUT; }

    boolean isConstant() { return node == CONSTANT; }

    boolean isNode() { return node >= 0; }

    /** The constant's index (valid when {@link #isConstant()}). */
    int constant() { return output; }
}
