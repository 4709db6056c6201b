package dev.ember.core.ops;

import dev.ember.core.Tensor;

/**
 * An op that core implements once with other kernels (fill, strided copy), so it runs on every
 * backend without a kernel of its own; a backend may still register a faster one. Unlike a
 * {@link CompositeOp}, autograd records it as one node with its own derivative.
 */
public abstract class PortableOp<A> extends Op<A> {

    protected PortableOp(String name) { super(name); }

    /** Computes the outputs (grad mode is off here). */
    public abstract Tensor[] compute(Tensor[] inputs, A attrs);
}
