package dev.ember.infer.optimize;

import dev.ember.core.DType;
import dev.ember.core.ops.Op;

/**
 * One op call of a {@link Graph}: the op, its attributes and its inputs as they were traced,
 * and for each output the traced shape and dtype and whether its dimension 0 is the batch.
 * Rewrites replace nodes in place or mark them removed, so a {@link Ref} to a node's output
 * stays valid for the node that takes its place.
 */
final class Node {

    final Op<?> op;
    final Object attrs;
    final Ref[] inputs;
    final int[][] shapes;
    final DType[] dtypes;
    final boolean[] batch;
    boolean removed;

    Node(Op<?> op, Object attrs, Ref[] inputs, int[][] shapes, DType[] dtypes, boolean[] batch) {
        this.op = op;
        this.attrs = attrs;
        this.inputs = inputs;
        this.shapes = shapes;
        this.dtypes = dtypes;
        this.batch = batch;
    }

    /** The same outputs computed by another op call. */
    Node replacedBy(Op<?> newOp, Object newAttrs, Ref... newInputs) {
        return new Node(newOp, newAttrs, newInputs, shapes, dtypes, batch);
    }

    String name() { return op.name(); }
}
