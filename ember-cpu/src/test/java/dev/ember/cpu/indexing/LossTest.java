package dev.ember.cpu.indexing;

import dev.ember.core.DType;
import dev.ember.core.Device;
import dev.ember.core.Tensor;
import dev.ember.core.ops.LossOps;
import dev.ember.core.ops.Reduction;
import dev.ember.core.random.Generator;
import dev.ember.core.testing.GradCheck;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static dev.ember.core.testing.TensorAssert.assertClose;
import static dev.ember.core.testing.TensorAssert.assertShape;
import static dev.ember.cpu.indexing.IndexingForwardTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Losses against values computed independently with plain Java math, and their gradients. */
class LossTest {

    private final Random rnd = new Random(5);
    private final Generator gen = Generator.seeded(9);

    // ---------------------------------------------------------------- cross entropy / nll

    @Test
    void crossEntropyKnownValue() {
        // -log(e^3 / (e + e^2 + e^3))
        Tensor loss = LossOps.crossEntropy(Tensor.of(new float[] {1, 2, 3}, 1, 3), Tensor.of(new long[] {2}, 1));
        assertEquals(0.4076059644443804, loss.item(), 1e-6);
        Tensor vector = LossOps.crossEntropy(Tensor.of(new double[] {1, 2, 3}, 3), Tensor.of(new long[] {0}, new int[0]),
                null, -100, 0, Reduction.NONE);
        assertShape(vector);
        assertEquals(2.4076059644443806, vector.item(), 1e-12);
    }

    @Test
    void crossEntropyWithWeightsIgnoreIndexAndSmoothingMatchesPlainMath() {
        int n = 6, c = 4;
        double[] x = Nd.randoms(rnd, n * c);
        long[] t = {3, 1, -100, 0, 3, 2};
        double[] w = {0.5, 2.0, 1.0, 0.25};
        for (double eps : new double[] {0, 0.1}) {
            for (boolean weighted : new boolean[] {false, true}) {
                double[] per = new double[n];
                double total = 0, denom = 0;
                for (int i = 0; i < n; i++) {
                    if (t[i] == -100) continue;
                    double m = Double.NEGATIVE_INFINITY;
                    for (int k = 0; k < c; k++) m = Math.max(m, x[i * c + k]);
                    double s = 0;
                    for (int k = 0; k < c; k++) s += Math.exp(x[i * c + k] - m);
                    double lse = m + Math.log(s);
                    double wt = weighted ? w[(int) t[i]] : 1;
                    double nll = -wt * (x[i * c + (int) t[i]] - lse);
                    double smooth = 0;
                    for (int k = 0; k < c; k++) smooth -= (weighted ? w[k] : 1) * (x[i * c + k] - lse);
                    per[i] = (1 - eps) * nll + eps / c * smooth;
                    total += per[i];
                    denom += wt;
                }
                Tensor logits = Tensor.of(x, n, c);
                Tensor target = Tensor.of(t, n);
                Tensor weight = weighted ? Tensor.of(w, c) : null;
                assertClose(per, LossOps.crossEntropy(logits, target, weight, -100, eps, Reduction.NONE), 1e-12);
                assertEquals(total, LossOps.crossEntropy(logits, target, weight, -100, eps, Reduction.SUM).item(), 1e-12);
                assertEquals(total / denom, LossOps.crossEntropy(logits, target, weight, -100, eps, Reduction.MEAN).item(), 1e-12);
                // f32 agrees to f32 precision
                assertEquals(total / denom, LossOps.crossEntropy(logits.to(DType.F32), target, weight == null ? null : weight.to(DType.F32),
                        -100, eps, Reduction.MEAN).item(), 1e-5);
            }
        }
    }

    @Test
    void crossEntropySpatialTargetsAndCustomIgnoreIndex() {
        int n = 2, c = 3, h = 2, wd = 3;
        double[] x = Nd.randoms(rnd, n * c * h * wd);
        long[] t = new long[n * h * wd];
        for (int i = 0; i < t.length; i++) t[i] = rnd.nextInt(c);
        t[1] = 7;  // the ignore index used below
        double[] per = new double[t.length];
        double total = 0;
        int counted = 0;
        for (int b = 0; b < n; b++) {
            for (int p = 0; p < h * wd; p++) {
                int ti = b * h * wd + p;
                if (t[ti] == 7) continue;
                double s = 0;
                for (int k = 0; k < c; k++) s += Math.exp(x[(b * c + k) * h * wd + p]);
                per[ti] = Math.log(s) - x[(b * c + (int) t[ti]) * h * wd + p];
                total += per[ti];
                counted++;
            }
        }
        Tensor logits = Tensor.of(x, n, c, h, wd);
        Tensor target = Tensor.of(t, n, h, wd);
        Tensor none = LossOps.crossEntropy(logits, target, null, 7, 0, Reduction.NONE);
        assertShape(none, n, h, wd);
        assertClose(per, none, 1e-12);
        assertEquals(total / counted, LossOps.crossEntropy(logits, target, null, 7, 0, Reduction.MEAN).item(), 1e-12);
        // i32 targets are accepted
        assertEquals(total, LossOps.crossEntropy(logits, target.to(DType.I32), null, 7, 0, Reduction.SUM).item(), 1e-12);
    }

    @Test
    void crossEntropyAllIgnoredMeanIsNaNAsPyTorch() {
        Tensor loss = LossOps.crossEntropy(Tensor.zeros(DType.F64, Device.CPU, 2, 3), Tensor.of(new long[] {-100, -100}, 2),
                null, -100, 0, Reduction.MEAN);
        assertTrue(Double.isNaN(loss.item()));
    }

    @Test
    void crossEntropyProbabilityTargets() {
        double[] x = {0.5, -1, 2, 0, 1, 1};
        double[] p = {0.2, 0.3, 0.5, 1, 0, 0};
        double eps = 0.2;
        double total = 0;
        for (int i = 0; i < 2; i++) {
            double s = 0;
            for (int k = 0; k < 3; k++) s += Math.exp(x[i * 3 + k]);
            for (int k = 0; k < 3; k++) total -= (p[i * 3 + k] * (1 - eps) + eps / 3) * (x[i * 3 + k] - Math.log(s));
        }
        Tensor loss = LossOps.crossEntropy(Tensor.of(x, 2, 3), Tensor.of(p, 2, 3), null, -100, eps, Reduction.MEAN);
        assertEquals(total / 2, loss.item(), 1e-12);
    }

    @Test
    void nllLossWithWeights() {
        double[] lp = {-0.1, -2.0, -3.0, -1.5, -0.5, -2.5};
        double[] w = {1, 3, 0.5};
        Tensor loss = LossOps.nllLoss(Tensor.of(lp, 2, 3), Tensor.of(new long[] {1, 2}, 2), Tensor.of(w, 3), -100, Reduction.MEAN);
        assertEquals((3 * 2.0 + 0.5 * 2.5) / (3 + 0.5), loss.item(), 1e-12);
        Tensor none = LossOps.nllLoss(Tensor.of(lp, 2, 3), Tensor.of(new long[] {0, -100}, 2), null, -100, Reduction.NONE);
        assertClose(new double[] {0.1, 0}, none, 1e-12);
    }

    @Test
    void classLossGradients() {
        Tensor logits = Tensor.randn(gen, DType.F64, Device.CPU, 5, 4).requiresGrad(true);
        Tensor weight = Tensor.of(new double[] {0.5, 2, 1, 0.3}, 4).requiresGrad(true);
        Tensor target = Tensor.of(new long[] {3, -100, 0, 2, 3}, 5);
        for (Reduction r : Reduction.values()) {
            GradCheck.check(in -> LossOps.crossEntropy(in[0], target, in[1], -100, 0.15, r), logits, weight);
            GradCheck.check(in -> LossOps.nllLoss(in[0], target, in[1], -100, r), logits, weight);
        }
        // spatial, from a non-contiguous tensor ([2, 3, 4] transposed to [2, 4, 3]: N=2, C=4, d=3)
        Tensor raw = Tensor.randn(gen, DType.F64, Device.CPU, 2, 3, 4).requiresGrad(true);
        Tensor spatialTarget = Tensor.of(new long[] {0, 3, 1, 2, 2, -100}, 2, 3);
        GradCheck.check(in -> LossOps.crossEntropy(in[0].transpose(1, 2), spatialTarget, null, -100, 0.1, Reduction.MEAN), raw);
        Tensor probs = Tensor.of(new double[] {0.1, 0.2, 0.3, 0.4, 1, 0, 0, 0}, 2, 4);
        Tensor two = Tensor.randn(gen, DType.F64, Device.CPU, 2, 4).requiresGrad(true);
        GradCheck.check(in -> LossOps.crossEntropy(in[0], probs, null, -100, 0.05, Reduction.MEAN), two);
    }

    // ---------------------------------------------------------------- pointwise losses

    @Test
    void mseAndL1() {
        Tensor a = Tensor.of(new double[] {1, 2, 3, 4}, 2, 2), b = Tensor.of(new double[] {0, 2, 5, 3}, 2, 2);
        assertClose(new double[] {1, 0, 4, 1}, LossOps.mseLoss(a, b, Reduction.NONE), 0);
        assertEquals(1.5, LossOps.mseLoss(a, b, Reduction.MEAN).item(), 1e-12);
        assertEquals(6, LossOps.mseLoss(a, b, Reduction.SUM).item(), 1e-12);
        assertEquals(1.0, LossOps.l1Loss(a, b, Reduction.MEAN).item(), 1e-12);
        assertEquals(4, LossOps.l1Loss(a, b, Reduction.SUM).item(), 1e-12);

        Tensor x = Tensor.randn(gen, DType.F64, Device.CPU, 3, 4).requiresGrad(true);
        Tensor y = Tensor.randn(gen, DType.F64, Device.CPU, 4, 3).requiresGrad(true);
        for (Reduction r : Reduction.values()) {
            GradCheck.check(in -> LossOps.mseLoss(in[0], in[1].transpose(0, 1), r), x, y);
            GradCheck.check(in -> LossOps.l1Loss(in[0], in[1].transpose(0, 1), r), x, y);
        }
    }

    @Test
    void binaryCrossEntropyValues() {
        Tensor p = Tensor.of(new double[] {0.8, 0.3, 0, 1}, 4);
        Tensor t = Tensor.of(new double[] {1, 0, 1, 1}, 4);
        // log clamped at -100: p = 0 with target 1 costs exactly 100, p = 1 with target 1 costs 0
        assertClose(new double[] {-Math.log(0.8), -Math.log(0.7), 100, 0}, LossOps.binaryCrossEntropy(p, t, null, Reduction.NONE), 1e-12);
        Tensor w = Tensor.of(new double[] {2, 1, 0.5, 1}, 4);
        double expected = (2 * -Math.log(0.8) - Math.log(0.7) + 0.5 * 100) / 4;
        assertEquals(expected, LossOps.binaryCrossEntropy(p, t, w, Reduction.MEAN).item(), 1e-12);
        // gradient is finite where the log saturates
        Tensor ps = p.detach().requiresGrad(true);
        LossOps.binaryCrossEntropy(ps, t, null, Reduction.SUM).backward();
        for (double g : ps.grad().toDoubleArray()) assertTrue(Double.isFinite(g), "finite gradient");
    }

    @Test
    void binaryCrossEntropyWithLogitsValuesAndStability() {
        double[] x = {0.5, -1.5, 3, -0.2};
        double[] t = {1, 0, 0.3, 1};
        double[] pw = {2, 1, 0.5, 3};  // per class (last dim)
        double[] per = new double[4];
        for (int i = 0; i < 4; i++) {
            double s = 1 / (1 + Math.exp(-x[i]));
            per[i] = -(pw[i] * t[i] * Math.log(s) + (1 - t[i]) * Math.log(1 - s));
        }
        Tensor logits = Tensor.of(x, 1, 4);
        Tensor target = Tensor.of(t, 1, 4);
        assertClose(per, LossOps.binaryCrossEntropyWithLogits(logits, target, null, Tensor.of(pw, 4), Reduction.NONE), 1e-12);
        Tensor w = Tensor.of(new double[] {3}, 1, 1);
        double sum = 0;
        for (double v : per) sum += 3 * v;
        assertEquals(sum / 4, LossOps.binaryCrossEntropyWithLogits(logits, target, w, Tensor.of(pw, 4), Reduction.MEAN).item(), 1e-12);
        // where sigmoid rounds to exactly 0 or 1 in f32, the stable form still gives the exact loss
        Tensor big = LossOps.binaryCrossEntropyWithLogits(Tensor.of(new float[] {100, -100}, 2), Tensor.of(new float[] {0, 1}, 2),
                null, null, Reduction.NONE);
        assertClose(new double[] {100, 100}, big, 1e-6);
    }

    @Test
    void binaryLossGradients() {
        Tensor p = Tensor.rand(gen, DType.F64, Device.CPU, 3, 4).mul(0.8).add(0.1).detach().requiresGrad(true);
        Tensor t = Tensor.rand(gen, DType.F64, Device.CPU, 3, 4);
        Tensor w = Tensor.rand(gen, DType.F64, Device.CPU, 4).add(0.5).requiresGrad(true);
        for (Reduction r : Reduction.values()) {
            GradCheck.check(in -> LossOps.binaryCrossEntropy(in[0], t, in[1], r), p, w);
        }
        Tensor x = Tensor.randn(gen, DType.F64, Device.CPU, 4, 3).requiresGrad(true);
        Tensor pw = Tensor.rand(gen, DType.F64, Device.CPU, 4).add(0.5).requiresGrad(true);
        Tensor tt = t.detach().requiresGrad(true);
        GradCheck.check(in -> LossOps.binaryCrossEntropyWithLogits(in[0].transpose(0, 1), in[1], in[2], in[3], Reduction.MEAN), x, tt, w, pw);
        GradCheck.check(in -> LossOps.binaryCrossEntropyWithLogits(in[0].transpose(0, 1), t, null, null, Reduction.SUM), x);
    }

    // ---------------------------------------------------------------- errors

    @Test
    void errorsNameOpAndShapes() {
        Tensor logits = Tensor.zeros(4, 3);
        assertMessage(() -> LossOps.crossEntropy(logits, Tensor.of(new long[] {0, 1, 2}, 3)), "cross_entropy", "[3]", "[4, 3]", "[4]");
        assertMessage(() -> LossOps.crossEntropy(logits, Tensor.of(new long[] {0, 1, 2, 5}, 4)), "cross_entropy", "[0, 3)", "index 5");
        assertMessage(() -> LossOps.crossEntropy(logits, Tensor.of(new long[] {0, 1, 2, -1}, 4)), "cross_entropy", "index -1", "-100");
        assertMessage(() -> LossOps.crossEntropy(logits, Tensor.of(new long[] {0, 1, 2, 1}, 4), Tensor.ones(4), -100, 0, Reduction.MEAN),
                "cross_entropy", "weight", "[4]", "[3]");
        assertMessage(() -> LossOps.crossEntropy(logits, Tensor.of(new long[] {0, 1, 2, 1}, 4), null, -100, 1.5, Reduction.MEAN),
                "cross_entropy", "labelSmoothing", "1.5");
        assertMessage(() -> LossOps.crossEntropy(logits, Tensor.zeros(4, 2)), "cross_entropy", "[4, 2]", "[4, 3]");
        assertMessage(() -> LossOps.nllLoss(logits, Tensor.zeros(4), null, -100, Reduction.MEAN), "nll_loss", "integer", "f32");
        assertMessage(() -> LossOps.nllLoss(Tensor.zeros(DType.I64, Device.CPU, 4, 3), Tensor.of(new long[] {0, 1, 2, 1}, 4), null, -100,
                Reduction.MEAN), "nll_loss", "floating", "i64");
        assertMessage(() -> LossOps.mseLoss(Tensor.zeros(4, 1), Tensor.zeros(4), Reduction.MEAN), "mse_loss", "[4, 1]", "[4]");
        assertMessage(() -> LossOps.l1Loss(Tensor.zeros(2), Tensor.zeros(3), Reduction.MEAN), "l1_loss", "[2]", "[3]");
        assertMessage(() -> LossOps.binaryCrossEntropy(Tensor.zeros(2, 3), Tensor.zeros(2, 3), Tensor.ones(2), Reduction.MEAN),
                "binary_cross_entropy", "[2]", "[2, 3]");
        assertMessage(() -> LossOps.binaryCrossEntropyWithLogits(Tensor.zeros(2, 3), Tensor.zeros(2, 3), null, Tensor.ones(2),
                Reduction.MEAN), "binary_cross_entropy_with_logits", "[2]", "[2, 3]");
        assertMessage(() -> LossOps.mseLoss(Tensor.zeros(2), Tensor.zeros(2), null), "mse_loss", "reduction");
    }
}
