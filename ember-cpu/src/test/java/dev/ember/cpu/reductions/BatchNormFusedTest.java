package dev.ember.cpu.reductions;

import dev.ember.core.DType;
import dev.ember.core.Device;
import dev.ember.core.Tensor;
import dev.ember.core.autograd.Autograd;
import dev.ember.core.autograd.GradMode;
import dev.ember.core.ops.NormOps;
import dev.ember.core.ops.NormOps.BatchNormAttrs;
import dev.ember.core.ops.NormOps.BatchNormBackwardAttrs;
import dev.ember.core.random.Generator;
import dev.ember.core.testing.GradCheck;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.ember.core.testing.TensorAssert.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The CPU's fused batch norm kernels (forward, closed-form backward, running statistics) against
 * the op's decomposition, finite differences and PyTorch's running-statistics formula, over the
 * shapes that take different paths: 2-d (BatchNorm1d, one element per plane), batch 1 with a
 * spatial extent, planes shorter and longer than a vector, 4-d.
 */
class BatchNormFusedTest {

    private static final double EPS = 1e-5;
    private static final List<int[]> SHAPES = List.of(new int[] {6, 3}, new int[] {1, 3, 5}, new int[] {3, 2, 4},
            new int[] {2, 3, 4, 5}, new int[] {2, 2, 7, 9});

    private static Tensor randn(long seed, DType d, int... shape) {
        return Tensor.randn(Generator.seeded(seed), d, Device.CPU, shape);
    }

    private static Tensor leaf(long seed, int... shape) { return randn(seed, DType.F64, shape).requiresGrad(true); }

    @Test
    void forwardRunsTheFusedKernelAndMatchesTheDecomposition() {
        for (int[] shape : SHAPES) {
            int c = shape[1];
            Tensor x = randn(1, DType.F32, shape).mul(3).add(2);
            Tensor w = randn(2, DType.F32, c), b = randn(3, DType.F32, c);
            Tensor rm = randn(4, DType.F32, c), rv = randn(5, DType.F32, c).abs().add(0.5);
            for (boolean training : new boolean[] {true, false}) {
                Tensor[] in = training ? new Tensor[] {x, w, b} : new Tensor[] {x, rm, rv, w, b};
                BatchNormAttrs a = new BatchNormAttrs(training, EPS, !training, true, true);
                Tensor[] fused = dev.ember.core.dispatch.Dispatcher.call(NormOps.BATCH_NORM, a, in);
                Tensor[] reference = NormOps.BATCH_NORM.decompose(in, a);
                for (int i = 0; i < 3; i++) assertClose(reference[i], fused[i], 2e-5);
            }
        }
        // the kernel, not the decomposition, made the output: autograd records one batch_norm node
        Tensor y = NormOps.batchNorm(leaf(6, 2, 3, 4), null, null, null, null, true, 0.1, EPS);
        assertEquals("batch_norm", y.gradFn().op().name());
    }

    @Test
    void backwardKernelMatchesTheClosedFormDecomposition() {
        for (int[] shape : SHAPES) {
            int c = shape[1];
            Tensor gy = randn(7, DType.F32, shape), x = randn(8, DType.F32, shape).mul(2).sub(1);
            Tensor mean = randn(9, DType.F32, c), var = randn(10, DType.F32, c).abs().add(0.3), w = randn(11, DType.F32, c);
            for (boolean training : new boolean[] {true, false}) {
                for (boolean affine : new boolean[] {true, false}) {
                    Tensor[] in = affine ? new Tensor[] {gy, x, mean, var, w} : new Tensor[] {gy, x, mean, var};
                    BatchNormBackwardAttrs a = new BatchNormBackwardAttrs(training, EPS, affine);
                    Tensor[] fused = dev.ember.core.dispatch.Dispatcher.call(NormOps.BATCH_NORM_BACKWARD, a, in);
                    Tensor[] reference = NormOps.BATCH_NORM_BACKWARD.decompose(in, a);
                    for (int i = 0; i < 3; i++) assertClose(reference[i], fused[i], 1e-4);
                }
            }
        }
    }

    @Test
    void gradientsInTrainingAndEvaluationWithAndWithoutAffine() {
        for (int[] shape : SHAPES) {
            if (shape.length == 4 && shape[2] > 4) continue; // finite differences over 250 elements: slow, no new path
            int c = shape[1];
            Tensor x = leaf(12, shape), w = leaf(13, c), b = leaf(14, c);
            Tensor rm = randn(15, DType.F64, c), rv = randn(16, DType.F64, c).abs().add(0.5);
            GradCheck.check(in -> NormOps.batchNorm(in[0], null, null, in[1], in[2], true, 0.1, EPS), x, w, b);
            GradCheck.check(in -> NormOps.batchNorm(in[0], null, null, null, null, true, 0.1, EPS), x);
            GradCheck.check(in -> NormOps.batchNorm(in[0], rm, rv, in[1], in[2], false, 0.1, EPS), x, w, b);
            GradCheck.check(in -> NormOps.batchNorm(in[0], rm, rv, null, null, false, 0.1, EPS), x);
            // weight only, bias only: the gradient slots of the remaining inputs line up
            GradCheck.check(in -> NormOps.batchNorm(in[0], null, null, in[1], null, true, 0.1, EPS), x, w);
            GradCheck.check(in -> NormOps.batchNorm(in[0], rm, rv, null, in[1], false, 0.1, EPS), x, b);
        }
    }

    @Test
    void trainingWithRunningStatisticsHasTheSameGradientAndUpdatesThem() {
        Tensor x = leaf(17, 2, 3, 4), w = leaf(18, 3), b = leaf(19, 3);
        Tensor rm = Tensor.zeros(DType.F64, Device.CPU, 3), rv = Tensor.ones(DType.F64, Device.CPU, 3);
        int before = rm.version();
        GradCheck.check(in -> NormOps.batchNorm(in[0], rm, rv, in[1], in[2], true, 0.1, EPS), x, w, b);
        assertNotEquals(before, rm.version(), "the running statistics' version counter must move");
    }

    @Test
    void doubleBackwardThroughTheClosedForm() {
        Tensor v = randn(20, DType.F64, 3, 2, 4);
        for (boolean training : new boolean[] {true, false}) {
            Tensor x = leaf(21, 3, 2, 4), w = leaf(22, 2), b = leaf(23, 2);
            Tensor rm = randn(24, DType.F64, 2), rv = randn(25, DType.F64, 2).abs().add(0.5);
            GradCheck.check(in -> {
                try (var on = GradMode.enable()) {
                    Tensor xi = in[0].requiresGrad() ? in[0] : in[0].detach().requiresGrad(true);
                    Tensor wi = in[1].requiresGrad() ? in[1] : in[1].detach().requiresGrad(true);
                    Tensor y = NormOps.batchNorm(xi, training ? null : rm, training ? null : rv, wi, in[2], training, 0.1, EPS);
                    // a nonlinear use of y, so the second derivative is not trivially zero
                    Tensor loss = y.mul(y).mul(v).sum();
                    Tensor[] g = Autograd.grad(new Tensor[] {loss}, null, new Tensor[] {xi, wi}, null, true);
                    return g[0].sum(new int[] {0, 2}, false).add(g[1]).mul(g[1]);
                }
            }, x, w, b);
        }
    }

    @Test
    void runningStatisticsFollowPyTorchsFormula() {
        for (int[] shape : SHAPES) {
            int c = shape[1];
            Tensor x = randn(26, DType.F64, shape);
            double[] m0 = randn(27, DType.F64, c).toDoubleArray(), v0 = randn(28, DType.F64, c).abs().add(0.5).toDoubleArray();
            Tensor rm = Tensor.of(m0.clone(), c), rv = Tensor.of(v0.clone(), c);
            double momentum = 0.3;
            NormOps.batchNorm(x, rm, rv, null, null, true, momentum, EPS);
            double[] xd = x.toDoubleArray();
            int n = shape[0], s = xd.length / (n * c);
            for (int ch = 0; ch < c; ch++) {
                double sum = 0, sq = 0;
                for (int i = 0; i < n; i++) for (int j = 0; j < s; j++) sum += xd[(i * c + ch) * s + j];
                double mean = sum / (n * s);
                for (int i = 0; i < n; i++) for (int j = 0; j < s; j++) sq += Math.pow(xd[(i * c + ch) * s + j] - mean, 2);
                double unbiased = sq / (n * s - 1);
                assertEquals((1 - momentum) * m0[ch] + momentum * mean, rm.toDoubleArray()[ch], 1e-12);
                assertEquals((1 - momentum) * v0[ch] + momentum * unbiased, rv.toDoubleArray()[ch], 1e-12);
            }
        }
    }

    @Test
    void f32RunningStatisticsWithAnF64Batch() {
        // the update reads each dtype as it is: no conversion pass, same values
        Tensor x = randn(29, DType.F64, 4, 2, 3);
        Tensor rm = Tensor.zeros(2), rv = Tensor.ones(2);
        NormOps.batchNorm(x, rm, rv, null, null, true, 0.1, EPS);
        Tensor em = Tensor.zeros(DType.F64, Device.CPU, 2), ev = Tensor.ones(DType.F64, Device.CPU, 2);
        NormOps.batchNorm(x, em, ev, null, null, true, 0.1, EPS);
        assertEquals(DType.F32, rm.dtype());
        assertClose(em.toDoubleArray(), rm, 1e-7);
        assertClose(ev.toDoubleArray(), rv, 1e-7);
        assertTrue(rv.toDoubleArray()[0] != 1.0);
    }
}
