package dev.ember.core.ops;

import dev.ember.core.Tensor;

import java.util.Arrays;

/**
 * The gradient of reflect/replicate padding: each input position receives the sum of the
 * gradients of the output positions that copied it. Linear, so its own gradient is the pad.
 */
final class PadBackwardOp extends Op<PadBackwardAttrs> {

    PadBackwardOp() { super("pad_backward"); }

    @Override
    public OutputSpec[] infer(Tensor[] in, PadBackwardAttrs a) {
        int[] expected = a.pad().paddedShape(a.inputShape());
        if (!Arrays.equals(expected, in[0].shape())) {
            throw new IllegalArgumentException(name() + ": gradient of shape " + Arrays.toString(in[0].shape())
                    + " does not match the padded shape " + Arrays.toString(expected));
        }
        return new OutputSpec[] {new OutputSpec(a.inputShape().clone(), in[0].dtype())};
    }

    @Override
    public Tensor[] vjp(VjpContext<PadBackwardAttrs> c) {
        return new Tensor[] {IndexingOps.padReflectOrReplicate(c.grad(0), c.attrs().pad())};
    }
}
