package dev.ember.cpu.linalg;

import dev.ember.core.DType;
import dev.ember.core.Tensor;
import dev.ember.core.ops.ConvOps.Conv2dAttrs;
import dev.ember.core.ops.FusedConvOps;
import dev.ember.core.ops.FusedConvOps.Activation;
import dev.ember.core.ops.FusedConvOps.Conv2dFusedAttrs;
import org.junit.jupiter.api.Test;

import static dev.ember.cpu.linalg.ConvTest.naiveConv2d;
import static dev.ember.cpu.linalg.MatmulTest.assertClose;
import static dev.ember.cpu.linalg.MatmulTest.randn;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** conv2d_fused's CPU kernel against a convolution written from the definition, and against its own decomposition. */
class FusedConvTest {

    /** act(conv(x, w) + b + r) from the naive convolution. */
    private static double[] reference(Tensor x, Tensor w, Tensor b, Tensor r, Conv2dAttrs a, Activation act, int[] outShape) {
        double[] y = naiveConv2d(x, w, b, a.stride(), a.padding(), a.dilation(), a.groups(), outShape);
        double[] rv = r == null ? null : r.toDoubleArray();
        for (int i = 0; i < y.length; i++) {
            if (rv != null) y[i] += rv[i];
            if (act == Activation.RELU) y[i] = Math.max(0, y[i]);
        }
        return y;
    }

    @Test
    void everyEpilogueMatchesTheDefinition() {
        // planes of 5x7 and 6x6 leave a tail after the vector loop; groups and stride exercise the conv attributes
        int[][] geoms = {{2, 6, 9, 13, 4, 3, 1, 1, 1}, {3, 4, 12, 12, 6, 3, 2, 1, 2}};
        for (DType d : new DType[] {DType.F32, DType.F64}) {
            for (int[] gm : geoms) {
                int n = gm[0], c = gm[1], h = gm[2], wd = gm[3], o = gm[4], k = gm[5], s = gm[6], p = gm[7], groups = gm[8];
                Conv2dAttrs a = new Conv2dAttrs(new int[] {s, s}, new int[] {p, p}, new int[] {1, 1}, groups);
                Tensor x = randn(d, n, c, h, wd), w = randn(d, o, c / groups, k, k);
                int oh = (h + 2 * p - k) / s + 1, ow = (wd + 2 * p - k) / s + 1;
                int[] out = {n, o, oh, ow};
                for (boolean bias : new boolean[] {false, true}) {
                    for (boolean res : new boolean[] {false, true}) {
                        for (Activation act : Activation.values()) {
                            Tensor b = bias ? randn(d, o) : null, r = res ? randn(d, out) : null;
                            Tensor y;
                            try (var _ = Tensor.noGrad()) {
                                y = FusedConvOps.conv2dFused(x, w, b, r, a, act);
                            }
                            double tol = d == DType.F32 ? 1e-4 : 1e-10;
                            assertClose(reference(x, w, b, r, a, act, y.shape()), y, tol);
                        }
                    }
                }
            }
        }
    }

    @Test
    void kernelAgreesWithTheDecomposition() {
        Conv2dAttrs a = new Conv2dAttrs(new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}, 1);
        Tensor x = randn(DType.F32, 2, 8, 10, 10), w = randn(DType.F32, 16, 8, 3, 3), b = randn(DType.F32, 16);
        Tensor r = randn(DType.F32, 2, 16, 10, 10);
        Conv2dFusedAttrs fa = new Conv2dFusedAttrs(a, true, true, Activation.RELU);
        try (var _ = Tensor.noGrad()) {
            Tensor fused = FusedConvOps.conv2dFused(x, w, b, r, a, Activation.RELU);
            Tensor decomposed = FusedConvOps.CONV2D_FUSED.decompose(new Tensor[] {x, w, b, r}, fa)[0];
            assertClose(decomposed.toDoubleArray(), fused, 1e-5);
            // the ReLU must have cut something, or the comparison would not test it
            double zeros = 0;
            for (double v : fused.toDoubleArray()) if (v == 0) zeros++;
            assertTrue(zeros > 0.2 * fused.numel(), "only " + zeros + " zeros after ReLU");
        }
    }

    @Test
    void inputsThatRequireGradAreRefusedUnderGradMode() {
        Tensor x = randn(DType.F32, 1, 2, 5, 5), w = randn(DType.F32, 3, 2, 3, 3).requiresGrad(true);
        var e = assertThrows(IllegalStateException.class, () -> FusedConvOps.conv2dFused(x, w, null, null,
                new int[] {1}, new int[] {0}, new int[] {1}, 1, Activation.RELU));
        assertTrue(e.getMessage().contains("conv2d_fused") && e.getMessage().contains("weight of shape [3, 2, 3, 3]")
                && e.getMessage().contains("requires grad"), e.getMessage());
        // the same call without grad mode is an ordinary inference call
        try (var _ = Tensor.noGrad()) {
            Tensor y = FusedConvOps.conv2dFused(x, w, null, null, new int[] {1}, new int[] {0}, new int[] {1}, 1, Activation.RELU);
            assertTrue(!y.requiresGrad());
        }
    }

    @Test
    void aResidualOfAnotherShapeIsNamed() {
        Tensor x = randn(DType.F32, 2, 2, 5, 5), w = randn(DType.F32, 3, 2, 3, 3), r = randn(DType.F32, 2, 3, 5, 5);
        var e = assertThrows(IllegalArgumentException.class, () -> FusedConvOps.conv2dFused(x, w, null, r,
                new int[] {1}, new int[] {0}, new int[] {1}, 1, Activation.NONE));
        assertTrue(e.getMessage().contains("residual of shape [2, 3, 5, 5]") && e.getMessage().contains("[2, 3, 3, 3]"), e.getMessage());
        Tensor badBias = randn(DType.F32, 4);
        var e2 = assertThrows(IllegalArgumentException.class, () -> FusedConvOps.conv2dFused(x, w, badBias, null,
                new int[] {1}, new int[] {0}, new int[] {1}, 1, Activation.NONE));
        assertTrue(e2.getMessage().startsWith("conv2d_fused: ") && e2.getMessage().contains("bias of shape [4]"), e2.getMessage());
    }
}
