package dev.ember.cpu.reductions;

import dev.ember.core.DType;
import dev.ember.core.Device;
import dev.ember.core.Tensor;
import dev.ember.core.ops.NormOps;
import dev.ember.core.random.Generator;
import dev.ember.core.testing.GradCheck;
import org.junit.jupiter.api.Test;

import static dev.ember.core.testing.TensorAssert.assertClose;
import static dev.ember.cpu.reductions.ReductionForwardTest.assertMessage;

class NormalizationTest {

    private static final double EPS = 1e-5;

    private static Tensor randn(long seed, DType d, int... shape) {
        return Tensor.randn(Generator.seeded(seed), d, Device.CPU, shape);
    }

    /**
     * Normalises x viewed as [outer, group, inner] over (group-wise) sets of positions: position
     * (o, c, i) belongs to set key(o, c); every set gets its own biased mean/var; then the
     * per-channel affine a[c] * xhat + b[c].
     */
    private interface SetKey { int of(int o, int c); }

    private static double[] naive(double[] x, int outer, int channels, int inner, int sets, SetKey key,
                                  double[] mean, double[] var, double[] w, double[] b) {
        boolean given = mean != null;
        if (!given) {
            mean = new double[sets];
            var = new double[sets];
            int[] cnt = new int[sets];
            for (int o = 0; o < outer; o++) for (int c = 0; c < channels; c++) for (int i = 0; i < inner; i++) {
                int s = key.of(o, c);
                mean[s] += x[(o * channels + c) * inner + i];
                cnt[s]++;
            }
            for (int s = 0; s < sets; s++) mean[s] /= cnt[s];
            for (int o = 0; o < outer; o++) for (int c = 0; c < channels; c++) for (int i = 0; i < inner; i++) {
                int s = key.of(o, c);
                double d = x[(o * channels + c) * inner + i] - mean[s];
                var[s] += d * d / cnt[s];
            }
        }
        double[] y = new double[x.length];
        for (int o = 0; o < outer; o++) for (int c = 0; c < channels; c++) for (int i = 0; i < inner; i++) {
            int s = key.of(o, c), at = (o * channels + c) * inner + i;
            y[at] = (x[at] - mean[s]) / Math.sqrt(var[s] + EPS) * (w == null ? 1 : w[c]) + (b == null ? 0 : b[c]);
        }
        return y;
    }

    @Test
    void batchNormTrainingMatchesNaiveAndUpdatesRunningStats() {
        int n = 4, c = 3, h = 2, wd = 5;
        Tensor x = randn(1, DType.F32, n, c, h, wd).mul(2).add(1);
        Tensor w = randn(2, DType.F32, c), b = randn(3, DType.F32, c);
        Tensor rm = Tensor.of(new float[] {0.5f, -1, 2}), rv = Tensor.of(new float[] {1, 2, 0.5f});
        double[] rm0 = rm.toDoubleArray(), rv0 = rv.toDoubleArray();
        Tensor y = NormOps.batchNorm(x, rm, rv, w, b, true, 0.1, EPS);
        double[] xd = x.toDoubleArray();
        assertClose(naive(xd, n, c, h * wd, c, (o, ch) -> ch, null, null, w.toDoubleArray(), b.toDoubleArray()), y, 1e-5);
        // running stats: momentum blend with the batch mean and the unbiased batch variance
        double[] em = new double[c], ev = new double[c];
        for (int ch = 0; ch < c; ch++) {
            double[] v = new double[n * h * wd];
            int k = 0;
            for (int o = 0; o < n; o++) for (int i = 0; i < h * wd; i++) v[k++] = xd[(o * c + ch) * h * wd + i];
            double mean = 0;
            for (double e : v) mean += e;
            mean /= v.length;
            em[ch] = 0.9 * rm0[ch] + 0.1 * mean;
            ev[ch] = 0.9 * rv0[ch] + 0.1 * Naive.var(v, 1);
        }
        assertClose(em, rm, 1e-5);
        assertClose(ev, rv, 1e-5);
    }

    @Test
    void batchNormEvalUsesRunningStatsAndLeavesThem() {
        Tensor x = randn(4, DType.F64, 3, 2, 4);
        double[] m = {0.3, -0.2}, v = {1.5, 0.25};
        Tensor rm = Tensor.of(m, 2), rv = Tensor.of(v, 2);
        Tensor y = NormOps.batchNorm(x, rm, rv, null, Tensor.of(new double[] {1, 2}, 2), false, 0.1, EPS);
        assertClose(naive(x.toDoubleArray(), 3, 2, 4, 2, (o, ch) -> ch, m, v, null, new double[] {1, 2}), y, 1e-10);
        assertClose(m, rm, 0);
        assertClose(v, rv, 0);
        // training without running stats and without affine: plain per-channel standardisation of a 2-d input
        Tensor x2 = randn(5, DType.F64, 6, 3);
        assertClose(naive(x2.toDoubleArray(), 6, 3, 1, 3, (o, ch) -> ch, null, null, null, null),
                NormOps.batchNorm(x2, null, null, null, null, true, 0.1, EPS), 1e-10);
    }

    @Test
    void layerNormMatchesNaive() {
        Tensor x = randn(6, DType.F32, 2, 3, 4, 5);
        double[] xd = x.toDoubleArray();
        Tensor w = randn(7, DType.F32, 4, 5), b = randn(8, DType.F32, 4, 5);
        // normalising the last two dims = sets indexed by the 6 leading positions, "channel" = one of 20 features
        double[] expected = naive(xd, 6, 20, 1, 6, (o, ch) -> o, null, null, w.toDoubleArray(), b.toDoubleArray());
        assertClose(expected, NormOps.layerNorm(x, new int[] {4, 5}, w, b, EPS), 1e-5);
        double[] last = naive(xd, 24, 5, 1, 24, (o, ch) -> o, null, null, null, null);
        assertClose(last, NormOps.layerNorm(x, new int[] {5}, null, null, EPS), 1e-5);
        Tensor t = x.transpose(0, 1); // non-contiguous input
        assertClose(NormOps.layerNorm(t.copy(), new int[] {5}, null, null, EPS), NormOps.layerNorm(t, new int[] {5}, null, null, EPS), 1e-6);
    }

    @Test
    void groupNormMatchesNaive() {
        int n = 2, c = 6, g = 3, hw = 7;
        Tensor x = randn(9, DType.F64, n, c, hw);
        Tensor w = randn(10, DType.F64, c), b = randn(11, DType.F64, c);
        double[] expected = naive(x.toDoubleArray(), n, c, hw, n * g, (o, ch) -> o * g + ch / (c / g), null, null,
                w.toDoubleArray(), b.toDoubleArray());
        assertClose(expected, NormOps.groupNorm(x, g, w, b, EPS), 1e-10);
        // one group per channel is instance norm; one group is layer norm over C and space
        assertClose(naive(x.toDoubleArray(), n, c, hw, n * c, (o, ch) -> o * c + ch, null, null, null, null),
                NormOps.groupNorm(x, c, null, null, EPS), 1e-10);
        assertClose(NormOps.layerNorm(x, new int[] {c, hw}, null, null, EPS), NormOps.groupNorm(x, 1, null, null, EPS), 1e-10);
    }

    @Test
    void gradients() {
        Tensor x = randn(12, DType.F64, 3, 2, 4).requiresGrad(true);
        Tensor w = randn(13, DType.F64, 2).requiresGrad(true), b = randn(14, DType.F64, 2).requiresGrad(true);
        GradCheck.check(in -> NormOps.batchNorm(in[0], null, null, in[1], in[2], true, 0.1, EPS), x, w, b);
        Tensor rm = Tensor.of(new double[] {0.1, -0.3}, 2), rv = Tensor.of(new double[] {0.8, 1.3}, 2);
        GradCheck.check(in -> NormOps.batchNorm(in[0], rm, rv, in[1], in[2], false, 0.1, EPS), x, w, b);
        Tensor lw = randn(15, DType.F64, 4).requiresGrad(true), lb = randn(16, DType.F64, 4).requiresGrad(true);
        GradCheck.check(in -> NormOps.layerNorm(in[0], new int[] {4}, in[1], in[2], EPS), x, lw, lb);
        GradCheck.check(in -> NormOps.layerNorm(in[0].transpose(0, 2), new int[] {2, 3}, null, null, EPS), x);
        Tensor gx = randn(17, DType.F64, 2, 4, 3).requiresGrad(true);
        Tensor gw = randn(18, DType.F64, 4).requiresGrad(true), gb = randn(19, DType.F64, 4).requiresGrad(true);
        GradCheck.check(in -> NormOps.groupNorm(in[0], 2, in[1], in[2], EPS), gx, gw, gb);
    }

    @Test
    void badArguments() {
        Tensor x = Tensor.zeros(2, 4, 3);
        assertMessage(() -> NormOps.batchNorm(Tensor.zeros(4), null, null, null, null, true, 0.1, EPS), "batch_norm", "[4]");
        assertMessage(() -> NormOps.batchNorm(x, Tensor.zeros(3), Tensor.ones(3), null, null, true, 0.1, EPS),
                "batch_norm", "runningMean", "[3]", "[2, 4, 3]");
        assertMessage(() -> NormOps.batchNorm(x, null, null, Tensor.ones(5), null, true, 0.1, EPS), "batch_norm", "weight", "[5]");
        assertMessage(() -> NormOps.batchNorm(x, null, null, null, null, false, 0.1, EPS), "batch_norm", "evaluation");
        assertMessage(() -> NormOps.batchNorm(Tensor.zeros(1, 4), null, null, null, null, true, 0.1, EPS), "batch_norm", "more than 1");
        assertMessage(() -> NormOps.layerNorm(x, new int[] {4}, null, null, EPS), "layer_norm", "[4]", "[2, 4, 3]");
        assertMessage(() -> NormOps.layerNorm(x, new int[] {3}, Tensor.ones(4), null, EPS), "layer_norm", "weight", "[4]", "[3]");
        assertMessage(() -> NormOps.groupNorm(x, 3, null, null, EPS), "group_norm", "3 groups", "[2, 4, 3]");
        assertMessage(() -> NormOps.groupNorm(x, 2, null, Tensor.ones(2), EPS), "group_norm", "bias", "[2]");
        assertMessage(() -> NormOps.layerNorm(Tensor.arange(6).reshape(2, 3), new int[] {3}, null, null, EPS), "layer_norm", "i64");
    }
}
