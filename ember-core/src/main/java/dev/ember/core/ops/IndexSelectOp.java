package dev.ember.core.ops;

import dev.ember.core.Tensor;

import java.util.Arrays;

/**
 * The slices of {@code x} along {@code dim} at the positions in a 1-d {@code index}, in that
 * order (repeats allowed). The gradient adds each slice's gradient back at its position.
 */
final class IndexSelectOp extends Op<DimAttrs> {

    IndexSelectOp() { super("index_select"); }

    @Override
    public OutputSpec[] infer(Tensor[] in, DimAttrs a) {
        Tensor x = in[0], index = in[1];
        IndexingOps.requireI64(name(), "index", index);
        if (index.dim() != 1) {
            throw new IllegalArgumentException(name() + ": index must be 1-d, got shape " + Arrays.toString(index.shape()));
        }
        int[] s = x.shape();
        s[a.dim()] = index.shape(0);
        return new OutputSpec[] {new OutputSpec(s, x.dtype())};
    }

    @Override
    public Tensor[] vjp(VjpContext<DimAttrs> c) {
        Tensor g = c.grad(0);
        Tensor zeros = Tensor.zeros(g.dtype(), g.device(), c.input(0).shape());
        return new Tensor[] {IndexingOps.indexAdd(zeros, c.attrs().dim(), c.input(1), g), null};
    }
}
