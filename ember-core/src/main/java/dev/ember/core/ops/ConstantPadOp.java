package dev.ember.core.ops;

import dev.ember.core.Tensor;
import dev.ember.core.dispatch.Dispatcher;

/**
 * Constant padding with non-negative pads (the facade slices for negative ones). Portable: a
 * fill and one strided copy on any backend. The gradient is the interior slice.
 */
final class ConstantPadOp extends PortableOp<PadAttrs> {

    ConstantPadOp() { super("constant_pad"); }

    @Override
    public OutputSpec[] infer(Tensor[] in, PadAttrs a) {
        IndexingOps.checkPads("pad", in[0], a.pads(), true);
        return new OutputSpec[] {new OutputSpec(a.paddedShape(in[0].shape()), in[0].dtype())};
    }

    @Override
    public Tensor[] compute(Tensor[] in, PadAttrs a) {
        Tensor x = in[0];
        Tensor out = Tensor.full(a.value(), x.dtype(), x.device(), a.paddedShape(x.shape()));
        if (x.numel() > 0) Dispatcher.copyInto(interior(out, x.shape(), a), x);
        return new Tensor[] {out};
    }

    @Override
    public Tensor[] vjp(VjpContext<PadAttrs> c) {
        return new Tensor[] {interior(c.grad(0), c.input(0).shape(), c.attrs())};
    }

    /** The part of a padded tensor that the unpadded input occupies. */
    static Tensor interior(Tensor padded, int[] inputShape, PadAttrs a) {
        Tensor t = padded;
        for (int d = 0; d < inputShape.length; d++) {
            int before = a.before(d, inputShape.length);
            if (before != 0 || a.after(d, inputShape.length) != 0) t = t.narrow(d, before, inputShape[d]);
        }
        return t;
    }
}
