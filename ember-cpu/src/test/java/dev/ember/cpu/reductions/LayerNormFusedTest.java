package dev.ember.cpu.reductions;

import dev.ember.core.DType;
import dev.ember.core.Device;
import dev.ember.core.Tensor;
import dev.ember.core.autograd.Autograd;
import dev.ember.core.autograd.GradMode;
import dev.ember.core.dispatch.Dispatcher;
import dev.ember.core.ops.NormOps;
import dev.ember.core.ops.NormOps.LayerNormAttrs;
import dev.ember.core.ops.NormOps.LayerNormBackwardAttrs;
import dev.ember.core.random.Generator;
import dev.ember.core.testing.GradCheck;
import org.junit.jupiter.api.Test;

import static dev.ember.core.testing.TensorAssert.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The CPU's fused layer norm kernels against the op's decomposition and finite differences,
 * with rows shorter and longer than a vector, with and without the affine, and one row only.
 */
class LayerNormFusedTest {

    private static final double EPS = 1e-5;
    private static final int[][][] CASES = { // {input shape, normalized shape}
            {{4, 3}, {3}}, {{2, 3, 20}, {20}}, {{2, 3, 4, 5}, {4, 5}}, {{37}, {37}}, {{5, 130}, {130}}};

    private static Tensor randn(long seed, DType d, int... shape) {
        return Tensor.randn(Generator.seeded(seed), d, Device.CPU, shape);
    }

    @Test
    void forwardAndBackwardKernelsMatchTheDecompositions() {
        for (int[][] c : CASES) {
            int[] shape = c[0], ns = c[1];
            Tensor x = randn(1, DType.F32, shape).mul(2).add(3), gy = randn(2, DType.F32, shape);
            Tensor w = randn(3, DType.F32, ns), b = randn(4, DType.F32, ns);
            for (int affine = 0; affine < 4; affine++) {
                boolean hw = (affine & 1) != 0, hb = (affine & 2) != 0;
                Tensor[] in = hw && hb ? new Tensor[] {x, w, b} : hw ? new Tensor[] {x, w} : hb ? new Tensor[] {x, b} : new Tensor[] {x};
                LayerNormAttrs a = new LayerNormAttrs(ns, EPS, hw, hb);
                assertClose(NormOps.LAYER_NORM.decompose(in, a)[0], Dispatcher.call1(NormOps.LAYER_NORM, a, in), 2e-5);
                Tensor[] bin = hw ? new Tensor[] {gy, x, w} : new Tensor[] {gy, x};
                LayerNormBackwardAttrs ba = new LayerNormBackwardAttrs(ns, EPS, hw);
                Tensor[] fused = Dispatcher.call(NormOps.LAYER_NORM_BACKWARD, ba, bin);
                Tensor[] reference = NormOps.LAYER_NORM_BACKWARD.decompose(bin, ba);
                for (int i = 0; i < 3; i++) assertClose(reference[i], fused[i], 1e-4);
            }
        }
        Tensor y = NormOps.layerNorm(randn(5, DType.F64, 2, 3).requiresGrad(true), new int[] {3}, null, null, EPS);
        assertEquals("layer_norm", y.gradFn().op().name());
    }

    @Test
    void gradients() {
        for (int[][] c : CASES) {
            int[] shape = c[0], ns = c[1];
            if (shape.length == 2 && shape[1] > 100) continue; // finite differences over 650 elements: slow, no new path
            Tensor x = randn(6, DType.F64, shape).requiresGrad(true);
            Tensor w = randn(7, DType.F64, ns).requiresGrad(true), b = randn(8, DType.F64, ns).requiresGrad(true);
            GradCheck.check(in -> NormOps.layerNorm(in[0], ns, in[1], in[2], EPS), x, w, b);
            GradCheck.check(in -> NormOps.layerNorm(in[0], ns, null, in[1], EPS), x, b);
            GradCheck.check(in -> NormOps.layerNorm(in[0], ns, null, null, EPS), x);
        }
    }

    @Test
    void doubleBackward() {
        Tensor x = randn(9, DType.F64, 3, 4).requiresGrad(true), w = randn(10, DType.F64, 4).requiresGrad(true);
        Tensor v = randn(11, DType.F64, 3, 4);
        GradCheck.check(in -> {
            try (var on = GradMode.enable()) {
                Tensor xi = in[0].requiresGrad() ? in[0] : in[0].detach().requiresGrad(true);
                Tensor wi = in[1].requiresGrad() ? in[1] : in[1].detach().requiresGrad(true);
                Tensor y = NormOps.layerNorm(xi, new int[] {4}, wi, null, EPS);
                Tensor[] g = Autograd.grad(new Tensor[] {y.mul(y).mul(v).sum()}, null, new Tensor[] {xi, wi}, null, true);
                return g[0].sum(0, false).add(g[1]).mul(g[1]);
            }
        }, x, w);
    }
}
