package dev.ember.core.ops;

import dev.ember.core.Tensor;

/**
 * {@code out[i][j][k] = x[index[i][j][k]][j][k]} (for dim 0): picks one element of {@code x}
 * along {@code dim} per element of {@code index}. The gradient scatters back, adding where
 * indices repeat.
 */
final class GatherOp extends Op<DimAttrs> {

    GatherOp() { super("gather"); }

    @Override
    public OutputSpec[] infer(Tensor[] in, DimAttrs a) {
        Tensor x = in[0], index = in[1];
        IndexingOps.requireI64(name(), "index", index);
        IndexingOps.requireSameRank(name(), "input", x, "index", index);
        IndexingOps.requireIndexFits(name(), "input", x, index, a.dim());
        return new OutputSpec[] {new OutputSpec(index.shape(), x.dtype())};
    }

    @Override
    public Tensor[] vjp(VjpContext<DimAttrs> c) {
        Tensor g = c.grad(0);
        Tensor zeros = Tensor.zeros(g.dtype(), g.device(), c.input(0).shape());
        return new Tensor[] {IndexingOps.scatterAdd(zeros, c.attrs().dim(), c.input(1), g), null};
    }
}
