package dev.ember.core.ops;

import dev.ember.core.DType;
import dev.ember.core.Shapes;
import dev.ember.core.Tensor;

/**
 * An elementwise op of two tensors with NumPy broadcasting. Inputs share one dtype (the facade
 * promotes them first); comparisons give bool. Gradients are summed back to each input's shape.
 */
public final class BinaryOp extends Op<NoAttrs> {

    /** The gradient of input {@code which} (0 or 1), before reduction to that input's shape. */
    @FunctionalInterface
    public interface Derivative {
        Tensor apply(Tensor a, Tensor b, Tensor y, Tensor g, int which);
    }

    private final Derivative derivative;
    private final boolean comparison;

    public BinaryOp(String name, boolean comparison, Derivative derivative) {
        super(name);
        this.derivative = derivative;
        this.comparison = comparison;
    }

    public boolean isComparison() { return comparison; }

    @Override
    public OutputSpec[] infer(Tensor[] in, NoAttrs attrs) {
        if (in[0].dtype() != in[1].dtype()) {
            throw new IllegalArgumentException(name() + ": inputs have different dtypes " + in[0].dtype() + " and "
                    + in[1].dtype() + "; convert one with .to(...)");
        }
        int[] shape = Shapes.broadcast(name(), in[0].shape(), in[1].shape());
        return new OutputSpec[] {new OutputSpec(shape, comparison ? DType.BOOL : in[0].dtype())};
    }

    @Override
    public boolean differentiable() { return derivative != null; }

    @Override
    public boolean acceptsStridedInputs() { return true; }

    @Override
    public Tensor[] vjp(VjpContext<NoAttrs> c) {
        Tensor a = c.input(0), b = c.input(1), y = c.output(0), g = c.grad(0);
        Tensor[] r = new Tensor[2];
        if (c.needsInputGrad(0)) r[0] = ReductionOps.sumTo(derivative.apply(a, b, y, g, 0), a.shape());
        if (c.needsInputGrad(1)) r[1] = ReductionOps.sumTo(derivative.apply(a, b, y, g, 1), b.shape());
        return r;
    }
}
