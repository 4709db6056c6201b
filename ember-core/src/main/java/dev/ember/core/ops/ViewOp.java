package dev.ember.core.ops;

import dev.ember.core.Tensor;

/**
 * An op whose output shares its input's memory (reshape, permute, narrow, expand, ...). It has
 * no kernel: it only computes new shape, strides and offset, so it is the same on every backend.
 */
public abstract class ViewOp<A> extends Op<A> {

    protected ViewOp(String name) { super(name); }

    /** The view of {@code input}; shape validation happens here. */
    public abstract Tensor makeView(Tensor input, A attrs);

    @Override
    public final OutputSpec[] infer(Tensor[] inputs, A attrs) {
        Tensor v = makeView(inputs[0], attrs);
        return new OutputSpec[] {new OutputSpec(v.shape(), v.dtype())};
    }

    @Override
    public boolean acceptsStridedInputs() { return true; }
}
