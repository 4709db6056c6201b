package dev.ember.infer.optimize;

import dev.ember.core.DType;
import dev.ember.core.Tensor;
import dev.ember.core.ops.ConvOps;
import dev.ember.core.ops.NormOps;
import dev.ember.core.ops.NormOps.BatchNormAttrs;

import java.util.Arrays;

/**
 * Folds an evaluation-mode batch norm into the conv2d that feeds it. With
 * {@code s = gamma / sqrt(var + eps)} per output channel, {@code bn(conv(x, w) + b)} is
 * {@code conv(x, w * s) + (b - mean) * s + beta}, so the batch norm's pass over the activation
 * disappears. It applies when the convolution's output is read by that batch norm only, the
 * batch norm uses running statistics (evaluation mode), its statistics outputs are unused, and
 * weights and statistics are constants. The folded weights are computed once, in f64, and
 * rounded to the convolution's dtype.
 */
final class BatchNormFolding {

    private BatchNormFolding() {}

    /** Rewrites every foldable conv2d -> batch_norm pair of {@code g}; returns how many it folded. */
    static int run(Graph g) {
        int folded = 0;
        for (int i = 0; i < g.nodes.size(); i++) {
            Node bn = g.nodes.get(i);
            if (bn.removed || bn.op != NormOps.BATCH_NORM) continue;
            BatchNormAttrs a = (BatchNormAttrs) bn.attrs;
            if (a.training() || !a.hasRunning()) continue;
            Ref src = bn.inputs[0];
            if (!src.isNode() || src.output() != 0) continue;
            Node conv = g.node(src);
            if (conv.op != ConvOps.CONV2D || g.uses(src) != 1) continue;
            if (g.uses(Ref.of(i, 1)) != 0 || g.uses(Ref.of(i, 2)) != 0) continue;
            boolean constants = true;
            for (int k = 1; k < bn.inputs.length; k++) constants &= bn.inputs[k].isConstant();
            for (int k = 1; k < conv.inputs.length; k++) constants &= conv.inputs[k].isConstant();
            if (!constants) continue;

            int k = 1;
            Tensor mean = g.constant(bn.inputs[k++]), var = g.constant(bn.inputs[k++]);
            Tensor gamma = a.hasWeight() ? g.constant(bn.inputs[k++]) : null;
            Tensor beta = a.hasBias() ? g.constant(bn.inputs[k]) : null;
            Tensor w = g.constant(conv.inputs[1]);
            Tensor b = conv.inputs.length > 2 ? g.constant(conv.inputs[2]) : null;
            Tensor[] wb = fold(w, b, mean, var, gamma, beta, a.eps());
            // the folded convolution takes the batch norm's place, so readers of its output are unchanged
            Ref[] in = {conv.inputs[0], g.addConstant(wb[0]), g.addConstant(wb[1])};
            g.nodes.set(i, new Node(ConvOps.CONV2D, conv.attrs, in, new int[][] {bn.shapes[0]}, new DType[] {bn.dtypes[0]},
                    new boolean[] {bn.batch[0]}));
            conv.removed = true;
            folded++;
        }
        return folded;
    }

    /**
     * The weight {@code w * s} and bias {@code (b - mean) * s + beta} of the convolution that
     * computes {@code batch_norm(conv2d(x, w, b))}, with {@code s = gamma / sqrt(var + eps)};
     * b, gamma and beta may be null (0, 1 and 0). Computed in f64, returned in w's dtype.
     */
    static Tensor[] fold(Tensor w, Tensor b, Tensor mean, Tensor var, Tensor gamma, Tensor beta, double eps) {
        DType d = w.dtype();
        int o = w.shape(0);
        if (mean.numel() != o || var.numel() != o) {
            throw new IllegalArgumentException("batch norm folding: statistics of shapes " + Arrays.toString(mean.shape()) + " and "
                    + Arrays.toString(var.shape()) + " do not match the " + o + " output channels of weight "
                    + Arrays.toString(w.shape()));
        }
        try (var _ = Tensor.noGrad()) {
            Tensor s = var.to(DType.F64).add(eps).rsqrt();
            if (gamma != null) s = s.mul(gamma.to(DType.F64));
            Tensor w2 = w.to(DType.F64).mul(s.reshape(o, 1, 1, 1)).to(d);
            Tensor shifted = b == null ? mean.to(DType.F64).neg() : b.to(DType.F64).sub(mean.to(DType.F64));
            Tensor b2 = shifted.mul(s);
            if (beta != null) b2 = b2.add(beta.to(DType.F64));
            return new Tensor[] {w2, b2.to(d)};
        }
    }
}
