package dev.ember.core.ops;

import dev.ember.core.Tensor;

import java.util.Arrays;

/**
 * Out-of-place index-add: a copy of {@code x} with slice {@code j} of {@code src} along
 * {@code dim} added to slice {@code index[j]}; repeated indices accumulate.
 */
final class IndexAddOp extends Op<DimAttrs> {

    IndexAddOp() { super("index_add"); }

    @Override
    public OutputSpec[] infer(Tensor[] in, DimAttrs a) {
        Tensor x = in[0], index = in[1], src = in[2];
        IndexingOps.requireI64(name(), "index", index);
        if (index.dim() != 1) {
            throw new IllegalArgumentException(name() + ": index must be 1-d, got shape " + Arrays.toString(index.shape()));
        }
        if (x.dtype() != src.dtype()) {
            throw new IllegalArgumentException(name() + ": input is " + x.dtype() + " but src is " + src.dtype());
        }
        int[] expected = x.shape();
        expected[a.dim()] = index.shape(0);
        if (!Arrays.equals(expected, src.shape())) {
            throw new IllegalArgumentException(name() + ": src of shape " + Arrays.toString(src.shape()) + " does not match input of shape "
                    + Arrays.toString(x.shape()) + " with dimension " + a.dim() + " replaced by the index length "
                    + index.shape(0) + " (expected " + Arrays.toString(expected) + ")");
        }
        return new OutputSpec[] {new OutputSpec(x.shape(), x.dtype())};
    }

    @Override
    public Tensor[] vjp(VjpContext<DimAttrs> c) {
        Tensor g = c.grad(0);
        Tensor[] r = new Tensor[3];
        if (c.needsInputGrad(0)) r[0] = g;
        if (c.needsInputGrad(2)) r[2] = IndexingOps.indexSelect(g, c.attrs().dim(), c.input(1));
        return r;
    }
}
