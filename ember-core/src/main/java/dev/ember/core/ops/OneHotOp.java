package dev.ember.core.ops;

import dev.ember.core.DType;
import dev.ember.core.Tensor;

/** {@code out[..., c] = (indices[...] == c) ? 1 : 0} as i64; the attribute is the class count. */
final class OneHotOp extends Op<Integer> {

    OneHotOp() { super("one_hot"); }

    @Override
    public OutputSpec[] infer(Tensor[] in, Integer numClasses) {
        IndexingOps.requireI64(name(), "indices", in[0]);
        int[] s = in[0].shape();
        int[] out = java.util.Arrays.copyOf(s, s.length + 1);
        out[s.length] = numClasses;
        return new OutputSpec[] {new OutputSpec(out, DType.I64)};
    }

    @Override
    public boolean differentiable() { return false; }
}
