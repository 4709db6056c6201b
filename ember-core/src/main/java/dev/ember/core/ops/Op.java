package dev.ember.core.ops;

import dev.ember.core.DType;
import dev.ember.core.Tensor;

/**
 * The one declaration of an op: its name, its output rule (shapes and dtypes, with validation
 * and error messages) and its vector-Jacobian product written with other ops.
 * Backends supply kernels only; autocast, tracing, autograd and device dispatch are layers
 * of the {@link dev.ember.core.dispatch.Dispatcher} around every op call.
 *
 * @param <A> the op's attributes (a record, or {@link NoAttrs})
 */
public abstract class Op<A> {

    private final String name;

    protected Op(String name) { this.name = name; }

    public final String name() { return name; }

    /**
     * Validates the inputs and gives the outputs' shapes and dtypes. Errors name the op, the
     * offending argument and the shapes involved.
     */
    public abstract OutputSpec[] infer(Tensor[] inputs, A attrs);

    /**
     * Gradients of the inputs, given the gradients of the outputs, written with other ops so
     * that they run on every backend and can themselves be differentiated. Entries may be null
     * where an input needs no gradient.
     */
    public Tensor[] vjp(VjpContext<A> ctx) {
        throw new UnsupportedOperationException("op '" + name + "' has no derivative");
    }

    /** Whether autograd records this op; ops with integer or boolean results are not. */
    public boolean differentiable() { return true; }

    /** Whether the backend kernel accepts inputs of any strides; otherwise they arrive contiguous. */
    public boolean acceptsStridedInputs() { return false; }

    /** The dtype that selects the kernel: the first input's by default, the output's for creation ops. */
    public DType kernelDType(Tensor[] inputs, OutputSpec[] outputs) {
        return inputs.length > 0 ? inputs[0].dtype() : outputs[0].dtype();
    }

    @Override
    public String toString() { return name; }
}
