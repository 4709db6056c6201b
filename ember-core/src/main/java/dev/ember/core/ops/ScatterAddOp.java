package dev.ember.core.ops;

import dev.ember.core.Tensor;

import java.util.Arrays;

/**
 * Out-of-place scatter-add: a copy of {@code x} with {@code src[i][j][k]} added at
 * {@code [index[i][j][k]][j][k]} (for dim 0). Only the part of {@code src} covered by
 * {@code index} is used, as in PyTorch.
 */
final class ScatterAddOp extends Op<DimAttrs> {

    ScatterAddOp() { super("scatter_add"); }

    @Override
    public OutputSpec[] infer(Tensor[] in, DimAttrs a) {
        Tensor x = in[0], index = in[1], src = in[2];
        IndexingOps.requireI64(name(), "index", index);
        if (x.dtype() != src.dtype()) {
            throw new IllegalArgumentException(name() + ": input is " + x.dtype() + " but src is " + src.dtype());
        }
        IndexingOps.requireSameRank(name(), "input", x, "index", index);
        IndexingOps.requireSameRank(name(), "src", src, "index", index);
        IndexingOps.requireIndexFits(name(), "input", x, index, a.dim());
        int[] is = index.shape(), ss = src.shape();
        for (int d = 0; d < is.length; d++) {
            if (is[d] > ss[d]) {
                throw new IllegalArgumentException(name() + ": index of shape " + Arrays.toString(is) + " is larger than src of shape "
                        + Arrays.toString(ss) + " in dimension " + d + " (" + is[d] + " > " + ss[d] + ")");
            }
        }
        return new OutputSpec[] {new OutputSpec(x.shape(), x.dtype())};
    }

    @Override
    public Tensor[] vjp(VjpContext<DimAttrs> c) {
        Tensor g = c.grad(0);
        Tensor[] r = new Tensor[3];
        if (c.needsInputGrad(0)) r[0] = g;
        if (c.needsInputGrad(2)) {
            Tensor picked = IndexingOps.gather(g, c.attrs().dim(), c.input(1));
            r[2] = IndexingOps.zeroExtend(picked, c.input(2).shape());
        }
        return r;
    }
}
