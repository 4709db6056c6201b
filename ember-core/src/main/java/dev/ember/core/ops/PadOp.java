package dev.ember.core.ops;

import dev.ember.core.Tensor;

/**
 * Reflect or replicate padding: every output element is a copy of one input element, so the
 * gradient is a sum of output gradients into input positions ({@link PadBackwardOp}).
 */
final class PadOp extends Op<PadAttrs> {

    PadOp() { super("pad"); }

    @Override
    public OutputSpec[] infer(Tensor[] in, PadAttrs a) {
        IndexingOps.checkPads(name(), in[0], a.pads(), false);
        int[] s = in[0].shape();
        for (int d = 0; d < s.length; d++) {
            int before = a.before(d, s.length), after = a.after(d, s.length);
            if (before == 0 && after == 0) continue;
            if (a.mode() == PadMode.REFLECT && (before >= s[d] || after >= s[d])) {
                throw new IllegalArgumentException("pad: reflect padding (" + before + ", " + after + ") of dimension " + d
                        + " must be less than its size " + s[d] + " (input shape " + java.util.Arrays.toString(s) + ")");
            }
            if (a.mode() == PadMode.REPLICATE && s[d] == 0) {
                throw new IllegalArgumentException("pad: replicate padding of dimension " + d + " needs a non-empty dimension (input shape "
                        + java.util.Arrays.toString(s) + ")");
            }
        }
        return new OutputSpec[] {new OutputSpec(a.paddedShape(s), in[0].dtype())};
    }

    @Override
    public Tensor[] vjp(VjpContext<PadAttrs> c) {
        return new Tensor[] {IndexingOps.padBackward(c.grad(0), c.input(0).shape(), c.attrs())};
    }
}
