package dev.ember.core.ops;

import dev.ember.core.Tensor;

/**
 * An elementwise op of one tensor, declared with its derivative in one line, for example
 * {@code new UnaryOp("exp", (x, y, g, p) -> g.mul(y))}. Parameters (a slope, bounds, an
 * exponent) travel as {@link UnaryParams}.
 */
public final class UnaryOp extends Op<UnaryParams> {

    /** The vector-Jacobian product from input x, output y, output gradient g and parameters p. */
    @FunctionalInterface
    public interface Derivative {
        Tensor apply(Tensor x, Tensor y, Tensor g, UnaryParams p);
    }

    private final Derivative derivative;
    private final boolean floatingOnly;

    public UnaryOp(String name, boolean floatingOnly, Derivative derivative) {
        super(name);
        this.derivative = derivative;
        this.floatingOnly = floatingOnly;
    }

    @Override
    public OutputSpec[] infer(Tensor[] in, UnaryParams p) {
        if (floatingOnly && !in[0].dtype().isFloating()) {
            throw new IllegalArgumentException(name() + ": expected a floating tensor, got " + in[0].dtype()
                    + "; convert it first with .to(DType.F32)");
        }
        return new OutputSpec[] {new OutputSpec(in[0].shape(), in[0].dtype())};
    }

    @Override
    public boolean differentiable() { return derivative != null; }

    @Override
    public boolean acceptsStridedInputs() { return true; }

    @Override
    public Tensor[] vjp(VjpContext<UnaryParams> c) {
        return new Tensor[] {derivative.apply(c.input(0), c.output(0), c.grad(0), c.attrs())};
    }
}
