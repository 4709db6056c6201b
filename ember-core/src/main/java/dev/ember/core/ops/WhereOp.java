package dev.ember.core.ops;

import dev.ember.core.DType;
import dev.ember.core.Shapes;
import dev.ember.core.Tensor;

/** {@code where(cond, a, b)}: a where cond is true, else b, broadcasting all three. */
public final class WhereOp extends Op<NoAttrs> {

    WhereOp() { super("where"); }

    @Override
    public OutputSpec[] infer(Tensor[] in, NoAttrs attrs) {
        if (in[0].dtype() != DType.BOOL) {
            throw new IllegalArgumentException("where: condition must be bool, got " + in[0].dtype() + "; compare first, e.g. x.gt(0)");
        }
        if (in[1].dtype() != in[2].dtype()) {
            throw new IllegalArgumentException("where: the two value tensors have different dtypes " + in[1].dtype() + " and " + in[2].dtype());
        }
        int[] s = Shapes.broadcast("where", Shapes.broadcast("where", in[0].shape(), in[1].shape()), in[2].shape());
        return new OutputSpec[] {new OutputSpec(s, in[1].dtype())};
    }

    @Override
    public boolean acceptsStridedInputs() { return true; }

    @Override
    public DType kernelDType(Tensor[] inputs, OutputSpec[] outputs) { return inputs[1].dtype(); }

    @Override
    public Tensor[] vjp(VjpContext<NoAttrs> c) {
        Tensor cond = c.input(0), g = c.grad(0);
        Tensor zero = Tensor.scalar(0, g.dtype(), g.device());
        Tensor[] r = new Tensor[3];
        if (c.needsInputGrad(1)) r[1] = ReductionOps.sumTo(ElementwiseOps.where(cond, g, zero), c.input(1).shape());
        if (c.needsInputGrad(2)) r[2] = ReductionOps.sumTo(ElementwiseOps.where(cond, zero, g), c.input(2).shape());
        return r;
    }
}
