package dev.ember.cpu.linalg;

import dev.ember.core.DType;
import dev.ember.core.Tensor;
import dev.ember.core.ops.PoolingOps;
import dev.ember.core.ops.ValuesIndices;
import dev.ember.core.testing.GradCheck;
import org.junit.jupiter.api.Test;

import static dev.ember.cpu.linalg.MatmulTest.assertClose;
import static dev.ember.cpu.linalg.MatmulTest.randn;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PoolingTest {

    /** PyTorch's output-size rule, written independently of the library's. */
    static int outSize(int in, int k, int s, int p, int d, boolean ceil) {
        int eff = d * (k - 1) + 1;
        int out = ceil ? (int) Math.ceil((in + 2 * p - eff) / (double) s) + 1 : (in + 2 * p - eff) / s + 1;
        if (ceil && (out - 1) * s >= in + p) out--;
        return out;
    }

    static double[] naiveMaxPool(Tensor x, int[] k, int[] s, int[] p, int[] d, boolean ceil, long[] indices) {
        int[] xs = x.shape();
        double[] xv = x.toDoubleArray();
        int planes = xs[0] * xs[1], h = xs[2], w = xs[3];
        int oh = outSize(h, k[0], s[0], p[0], d[0], ceil), ow = outSize(w, k[1], s[1], p[1], d[1], ceil);
        double[] y = new double[planes * oh * ow];
        for (int pl = 0; pl < planes; pl++)
            for (int i = 0; i < oh; i++)
                for (int j = 0; j < ow; j++) {
                    double best = Double.NEGATIVE_INFINITY;
                    long arg = -1;
                    for (int a = 0; a < k[0]; a++)
                        for (int b = 0; b < k[1]; b++) {
                            int ih = i * s[0] - p[0] + a * d[0], iw = j * s[1] - p[1] + b * d[1];
                            if (ih < 0 || ih >= h || iw < 0 || iw >= w) continue;
                            double v = xv[(pl * h + ih) * w + iw];
                            if (arg < 0 || v > best) { best = v; arg = (long) ih * w + iw; }
                        }
                    y[(pl * oh + i) * ow + j] = best;
                    if (indices != null) indices[(pl * oh + i) * ow + j] = arg;
                }
        return y;
    }

    static double[] naiveAvgPool(Tensor x, int[] k, int[] s, int[] p, boolean ceil, boolean includePad) {
        int[] xs = x.shape();
        double[] xv = x.toDoubleArray();
        int planes = xs[0] * xs[1], h = xs[2], w = xs[3];
        int oh = outSize(h, k[0], s[0], p[0], 1, ceil), ow = outSize(w, k[1], s[1], p[1], 1, ceil);
        double[] y = new double[planes * oh * ow];
        for (int pl = 0; pl < planes; pl++)
            for (int i = 0; i < oh; i++)
                for (int j = 0; j < ow; j++) {
                    double sum = 0;
                    int valid = 0, padded = 0;
                    for (int a = 0; a < k[0]; a++)
                        for (int b = 0; b < k[1]; b++) {
                            int ih = i * s[0] - p[0] + a, iw = j * s[1] - p[1] + b;
                            // cells in the padding count for the divisor; cells past it (ceil mode) do not
                            if (ih < h + p[0] && iw < w + p[1]) padded++;
                            if (ih < 0 || ih >= h || iw < 0 || iw >= w) continue;
                            sum += xv[(pl * h + ih) * w + iw];
                            valid++;
                        }
                    y[(pl * oh + i) * ow + j] = sum / (includePad ? padded : valid);
                }
        return y;
    }

    static double[] naiveAdaptive(Tensor x, int oh, int ow) {
        int[] xs = x.shape();
        double[] xv = x.toDoubleArray();
        int planes = xs[0] * xs[1], h = xs[2], w = xs[3];
        double[] y = new double[planes * oh * ow];
        for (int pl = 0; pl < planes; pl++)
            for (int i = 0; i < oh; i++)
                for (int j = 0; j < ow; j++) {
                    int h0 = (int) Math.floor(i * (double) h / oh), h1 = (int) Math.ceil((i + 1) * (double) h / oh);
                    int w0 = (int) Math.floor(j * (double) w / ow), w1 = (int) Math.ceil((j + 1) * (double) w / ow);
                    double sum = 0;
                    for (int a = h0; a < h1; a++) for (int b = w0; b < w1; b++) sum += xv[(pl * h + a) * w + b];
                    y[(pl * oh + i) * ow + j] = sum / ((h1 - h0) * (w1 - w0));
                }
        return y;
    }

    static double[] naiveBilinear(Tensor x, int oh, int ow, boolean align) {
        int[] xs = x.shape();
        double[] xv = x.toDoubleArray();
        int planes = xs[0] * xs[1], h = xs[2], w = xs[3];
        double[] y = new double[planes * oh * ow];
        for (int pl = 0; pl < planes; pl++)
            for (int i = 0; i < oh; i++)
                for (int j = 0; j < ow; j++) {
                    double sy = source(i, h, oh, align), sx = source(j, w, ow, align);
                    int y0 = (int) sy, x0 = (int) sx, y1 = Math.min(y0 + 1, h - 1), x1 = Math.min(x0 + 1, w - 1);
                    double ly = sy - y0, lx = sx - x0;
                    double v00 = xv[(pl * h + y0) * w + x0], v01 = xv[(pl * h + y0) * w + x1];
                    double v10 = xv[(pl * h + y1) * w + x0], v11 = xv[(pl * h + y1) * w + x1];
                    y[(pl * oh + i) * ow + j] = (1 - ly) * ((1 - lx) * v00 + lx * v01) + ly * ((1 - lx) * v10 + lx * v11);
                }
        return y;
    }

    private static double source(int o, int in, int out, boolean align) {
        if (align) return out > 1 ? o * (in - 1.0) / (out - 1) : 0;
        return Math.max((o + 0.5) * in / out - 0.5, 0);
    }

    @Test
    void maxPoolMatchesLoop() {
        int[][][] cfgs = {
                {{2, 2}, {2, 2}, {0, 0}, {1, 1}},
                {{3, 3}, {2, 2}, {1, 1}, {1, 1}},
                {{3, 2}, {1, 2}, {1, 0}, {2, 1}},
                {{2, 3}, {3, 2}, {1, 1}, {1, 2}},
        };
        for (DType dt : new DType[] {DType.F32, DType.F64}) {
            for (boolean ceil : new boolean[] {false, true}) {
                for (int[][] c : cfgs) {
                    Tensor x = randn(dt, 2, 3, 9, 10);
                    ValuesIndices r = PoolingOps.maxPool2dWithIndices(x, c[0], c[1], c[2], c[3], ceil);
                    int oh = outSize(9, c[0][0], c[1][0], c[2][0], c[3][0], ceil), ow = outSize(10, c[0][1], c[1][1], c[2][1], c[3][1], ceil);
                    assertArrayEquals(new int[] {2, 3, oh, ow}, r.values().shape());
                    long[] idx = new long[2 * 3 * oh * ow];
                    assertClose(naiveMaxPool(x, c[0], c[1], c[2], c[3], ceil, idx), r.values(), 0);
                    assertArrayEquals(idx, r.indices().toLongArray());
                }
            }
        }
    }

    /**
     * Rows wider than several vectors, with ties everywhere (small integers) and runs of -inf:
     * the first of equal maxima wins, and a window of -inf takes its first valid position.
     */
    @Test
    void maxPoolWideRowsTiesAndInfinities() {
        int h = 13, w = 37;
        float[] v = new float[2 * h * w];
        java.util.Random r = new java.util.Random(7);
        for (int i = 0; i < v.length; i++) v[i] = r.nextInt(10) < 2 ? Float.NEGATIVE_INFINITY : r.nextInt(3);
        for (int i = 0; i < 3 * w; i++) v[i] = Float.NEGATIVE_INFINITY;
        Tensor x = Tensor.of(v, 1, 2, h, w);
        int[][][] cfgs = {
                {{3, 3}, {2, 2}, {1, 1}, {1, 1}},
                {{3, 3}, {1, 1}, {1, 1}, {1, 1}},
                {{5, 4}, {3, 2}, {2, 2}, {1, 1}},
                {{3, 3}, {2, 3}, {2, 2}, {2, 2}},
                {{1, 1}, {1, 1}, {0, 0}, {1, 1}},
        };
        for (int[][] c : cfgs) {
            for (boolean ceil : new boolean[] {false, true}) {
                ValuesIndices res = PoolingOps.maxPool2dWithIndices(x, c[0], c[1], c[2], c[3], ceil);
                int oh = outSize(h, c[0][0], c[1][0], c[2][0], c[3][0], ceil), ow = outSize(w, c[0][1], c[1][1], c[2][1], c[3][1], ceil);
                long[] idx = new long[2 * oh * ow];
                double[] want = naiveMaxPool(x, c[0], c[1], c[2], c[3], ceil, idx);
                float[] wantF = new float[want.length];
                for (int i = 0; i < want.length; i++) wantF[i] = (float) want[i];
                String cfg = java.util.Arrays.deepToString(c) + " ceil=" + ceil;
                // exact equality (assertClose's |a - b| is NaN for two infinities)
                assertArrayEquals(wantF, res.values().toFloatArray(), cfg);
                assertArrayEquals(idx, res.indices().toLongArray(), cfg);
            }
        }
    }

    @Test
    void maxPoolHandValuesAndNaN() {
        Tensor x = Tensor.of(new float[] {1, 5, 2, 0, 3, 4, 9, 8, 7, 6, Float.NaN, 1, 0, 2, 3, 4}, 1, 1, 4, 4);
        ValuesIndices r = PoolingOps.maxPool2dWithIndices(x, new int[] {2, 2}, null, new int[] {0, 0}, new int[] {1, 1}, false);
        float[] v = r.values().toFloatArray();
        assertEquals(5, v[0]);
        assertEquals(9, v[1]);
        assertEquals(7, v[2]);
        assertTrue(Float.isNaN(v[3]));
        assertArrayEquals(new long[] {1, 6, 8, 10}, r.indices().toLongArray());
        // two NaNs in one window: the later one wins, as in the general loop (and PyTorch)
        Tensor twoNaN = Tensor.of(new float[] {Float.NaN, 1, 2, Float.NaN}, 1, 1, 2, 2);
        ValuesIndices t = PoolingOps.maxPool2dWithIndices(twoNaN, new int[] {2, 2}, null, new int[] {0, 0}, new int[] {1, 1}, false);
        assertTrue(Float.isNaN(t.values().toFloatArray()[0]));
        assertArrayEquals(new long[] {3}, t.indices().toLongArray());
    }

    @Test
    void avgPoolMatchesLoop() {
        int[][][] cfgs = {{{2, 2}, {2, 2}, {0, 0}}, {{3, 3}, {2, 2}, {1, 1}}, {{3, 2}, {2, 1}, {1, 1}}, {{2, 3}, {3, 2}, {1, 0}}};
        for (DType dt : new DType[] {DType.F32, DType.F64}) {
            for (boolean ceil : new boolean[] {false, true}) {
                for (boolean inc : new boolean[] {false, true}) {
                    for (int[][] c : cfgs) {
                        Tensor x = randn(dt, 2, 2, 7, 8);
                        Tensor y = PoolingOps.avgPool2d(x, c[0], c[1], c[2], ceil, inc);
                        assertClose(naiveAvgPool(x, c[0], c[1], c[2], ceil, inc), y, dt == DType.F32 ? 1e-5 : 1e-12);
                    }
                }
            }
        }
        Tensor hand = PoolingOps.avgPool2d(Tensor.of(new float[] {1, 2, 3, 4}, 1, 1, 2, 2), new int[] {2, 2}, new int[] {1, 1},
                new int[] {1, 1}, false, false);
        assertArrayEquals(new float[] {1, 1.5f, 2, 2, 2.5f, 3, 3, 3.5f, 4}, hand.toFloatArray());
    }

    @Test
    void adaptiveAvgPoolMatchesLoop() {
        for (int[] o : new int[][] {{1, 1}, {3, 4}, {5, 7}, {7, 9}, {10, 11}}) {
            Tensor x = randn(DType.F64, 2, 3, 7, 9);
            assertClose(naiveAdaptive(x, o[0], o[1]), PoolingOps.adaptiveAvgPool2d(x, o[0], o[1]), 1e-12);
        }
        Tensor g = PoolingOps.adaptiveAvgPool2d(Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 1, 1, 2, 3), 1, 1);
        assertArrayEquals(new float[] {3.5f}, g.toFloatArray());
    }

    @Test
    void upsampleNearestHandValues() {
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4}, 1, 1, 2, 2);
        assertArrayEquals(new float[] {1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4}, PoolingOps.upsampleNearest2d(x, 4, 4).toFloatArray());
        // 3 -> 5: sources floor(o * 0.6) = 0, 0, 1, 1, 2
        Tensor r = Tensor.of(new float[] {10, 20, 30}, 1, 1, 1, 3);
        assertArrayEquals(new float[] {10, 10, 20, 20, 30}, PoolingOps.upsampleNearest2d(r, 1, 5).toFloatArray());
        // 5 -> 2: sources floor(o * 2.5) = 0, 2
        Tensor d = Tensor.of(new float[] {1, 2, 3, 4, 5}, 1, 1, 1, 5);
        assertArrayEquals(new float[] {1, 3}, PoolingOps.upsampleNearest2d(d, 1, 2).toFloatArray());
    }

    @Test
    void upsampleBilinearMatchesLoop() {
        for (boolean align : new boolean[] {false, true}) {
            for (int[] o : new int[][] {{1, 1}, {4, 6}, {9, 13}, {3, 2}}) {
                Tensor x = randn(DType.F64, 2, 2, 4, 5);
                assertClose(naiveBilinear(x, o[0], o[1], align), PoolingOps.upsampleBilinear2d(x, o[0], o[1], align), 1e-12);
            }
        }
        // f32 planes (bulk-copied through float buffers) agree with the f64 loop, forward and adjoint
        Tensor x64 = randn(DType.F64, 3, 2, 7, 5);
        Tensor x32 = x64.to(DType.F32).requiresGrad(true);
        Tensor y32 = PoolingOps.upsampleBilinear2d(x32, 11, 9, false);
        assertClose(naiveBilinear(x64, 11, 9, false), y32, 1e-5);
        Tensor g = randn(DType.F64, 3, 2, 11, 9);
        Tensor x64g = x64.requiresGrad(true);
        PoolingOps.upsampleBilinear2d(x64g, 11, 9, false).mul(g).sum().backward();
        y32.mul(g.to(DType.F32)).sum().backward();
        assertClose(x64g.grad().toDoubleArray(), x32.grad(), 1e-5);
        // 2 -> 4 without aligned corners: sources max((o + 0.5) / 2 - 0.5, 0) = 0, 0.25, 0.75, 1
        Tensor x = Tensor.of(new float[] {0, 4}, 1, 1, 1, 2);
        assertArrayEquals(new float[] {0, 1, 3, 4}, PoolingOps.upsampleBilinear2d(x, 1, 4, false).toFloatArray());
        assertArrayEquals(new float[] {0, 4f / 3, 8f / 3, 4}, PoolingOps.upsampleBilinear2d(x, 1, 4, true).toFloatArray(), 1e-6f);
    }

    @Test
    void gradients() {
        DType d = DType.F64;
        // distinct values so the finite differences never cross a tie in max pooling
        Tensor xm = Tensor.arange(0, 2 * 2 * 5 * 6, 1, d, dev.ember.core.Device.CPU).mul(0.37).sin().reshape(2, 2, 5, 6).requiresGrad(true);
        GradCheck.check(in -> PoolingOps.maxPool2d(in[0], new int[] {3, 3}, new int[] {2, 1}, new int[] {1, 1}, new int[] {1, 1}, true), xm);
        GradCheck.check(in -> PoolingOps.maxPool2d(in[0].transpose(2, 3), new int[] {2, 2}, new int[] {1, 1}, new int[] {0, 1}, new int[] {2, 1}, false),
                xm);
        Tensor x = randn(d, 2, 2, 5, 6).requiresGrad(true);
        GradCheck.check(in -> PoolingOps.avgPool2d(in[0], new int[] {3, 2}, new int[] {2, 2}, new int[] {1, 1}, true, false), x);
        GradCheck.check(in -> PoolingOps.avgPool2d(in[0].transpose(2, 3), new int[] {2, 2}, null, new int[] {1, 0}, false, true), x);
        GradCheck.check(in -> PoolingOps.adaptiveAvgPool2d(in[0], 3, 4), x);
        GradCheck.check(in -> PoolingOps.upsampleNearest2d(in[0], 7, 13), x);
        GradCheck.check(in -> PoolingOps.upsampleBilinear2d(in[0], 8, 4, false), x);
        GradCheck.check(in -> PoolingOps.upsampleBilinear2d(in[0], 3, 11, true), x);
    }

    @Test
    void backwardOpsAreDifferentiable() {
        DType d = DType.F64;
        Tensor x = Tensor.arange(0, 1 * 2 * 4 * 4, 1, d, dev.ember.core.Device.CPU).mul(0.61).cos().reshape(1, 2, 4, 4);
        Tensor idx = PoolingOps.maxPool2dWithIndices(x, new int[] {2, 2}, new int[] {1, 1}, new int[] {0, 0}, new int[] {1, 1}, false).indices();
        GradCheck.check(in -> dev.ember.core.dispatch.Dispatcher.call1(PoolingOps.MAX_POOL2D_BACKWARD, new int[] {1, 2, 4, 4}, in[0], idx),
                randn(d, 1, 2, 3, 3).requiresGrad(true));
        GradCheck.check(in -> dev.ember.core.dispatch.Dispatcher.call1(PoolingOps.UPSAMPLE_BILINEAR2D_BACKWARD,
                        new PoolingOps.ResampleAdjoint(new PoolingOps.UpsampleBilinear2d(7, 5, false), new int[] {1, 2, 3, 4}), in[0]),
                randn(d, 1, 2, 7, 5).requiresGrad(true));
    }

    @Test
    void errorsNameOpAndShapes() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> PoolingOps.maxPool2d(Tensor.zeros(2, 3, 8), new int[] {2, 2}, null, null, null, false));
        assertTrue(e.getMessage().contains("max_pool2d") && e.getMessage().contains("[2, 3, 8]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> PoolingOps.avgPool2d(Tensor.zeros(1, 1, 2, 2), new int[] {3, 3}, null, new int[] {0, 0}, false, true));
        assertTrue(e.getMessage().contains("avg_pool2d") && e.getMessage().contains("kernel extent 3"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> PoolingOps.maxPool2d(Tensor.zeros(1, 1, 8, 8), new int[] {2, 2}, null, new int[] {2, 2}, null, false));
        assertTrue(e.getMessage().contains("max_pool2d") && e.getMessage().contains("half of the kernel"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> PoolingOps.upsampleBilinear2d(Tensor.zeros(1, 1, 4, 4), 0, 3, false));
        assertTrue(e.getMessage().contains("upsample_bilinear2d") && e.getMessage().contains("[1, 1, 4, 4]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> PoolingOps.adaptiveAvgPool2d(Tensor.zeros(4, 4), 2, 2));
        assertTrue(e.getMessage().contains("adaptive_avg_pool2d") && e.getMessage().contains("[4, 4]"), e.getMessage());
    }
}
