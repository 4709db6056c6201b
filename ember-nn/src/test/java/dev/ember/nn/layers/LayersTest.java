package dev.ember.nn.layers;

import dev.ember.core.DType;
import dev.ember.core.Tensor;
import dev.ember.core.random.Generator;
import dev.ember.nn.Module;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.ember.core.testing.TensorAssert.assertClose;
import static dev.ember.core.testing.TensorAssert.assertShape;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LayersTest {

    private static Tensor randn(long seed, int... shape) { return Tensor.randn(Generator.seeded(seed), shape); }

    @Test
    void linearMatchesNaiveProduct() {
        Linear fc = new Linear(3, 2, true, Generator.seeded(1));
        Tensor x = randn(2, 4, 3);
        double[] w = fc.weight().data().toDoubleArray(), b = fc.bias().data().toDoubleArray(), xs = x.toDoubleArray();
        double[] expect = new double[8];
        for (int n = 0; n < 4; n++) {
            for (int o = 0; o < 2; o++) {
                double s = b[o];
                for (int i = 0; i < 3; i++) s += xs[n * 3 + i] * w[o * 3 + i];
                expect[n * 2 + o] = s;
            }
        }
        Tensor y = fc.forward(x);
        assertShape(y, 4, 2);
        assertClose(expect, y, 1e-5);
        assertEquals(List.of("weight", "bias"), List.copyOf(fc.stateDict().keySet()));
        assertNull(new Linear(3, 2, false).bias());
        var e = assertThrows(IllegalArgumentException.class, () -> fc.forward(Tensor.zeros(4, 5)));
        assertTrue(e.getMessage().contains("[4, 5]"), e.getMessage());
    }

    @Test
    void sameGeneratorSeedGivesSameWeights() {
        var a = new Conv2d(3, 4, 3, 1, 1, true, Generator.seeded(7));
        var b = new Conv2d(3, 4, 3, 1, 1, true, Generator.seeded(7));
        assertArrayEquals(a.weight().data().toFloatArray(), b.weight().data().toFloatArray());
    }

    /** Direct cross-correlation with zero padding. */
    static double[] naiveConv2d(double[] x, int n, int c, int h, int w, double[] k, int o, int kh, int kw, double[] bias,
                                int stride, int pad, int oh, int ow) {
        double[] y = new double[n * o * oh * ow];
        for (int b = 0; b < n; b++) for (int oc = 0; oc < o; oc++) for (int i = 0; i < oh; i++) for (int j = 0; j < ow; j++) {
            double s = bias == null ? 0 : bias[oc];
            for (int ic = 0; ic < c; ic++) for (int u = 0; u < kh; u++) for (int v = 0; v < kw; v++) {
                int yy = i * stride - pad + u, xx = j * stride - pad + v;
                if (yy < 0 || yy >= h || xx < 0 || xx >= w) continue;
                s += x[((b * c + ic) * h + yy) * w + xx] * k[((oc * c + ic) * kh + u) * kw + v];
            }
            y[((b * o + oc) * oh + i) * ow + j] = s;
        }
        return y;
    }

    @Test
    void conv2dMatchesNaiveLoop() {
        Conv2d conv = new Conv2d(2, 3, 3, 2, 1, true, Generator.seeded(3));
        Tensor x = randn(4, 2, 2, 5, 6);
        Tensor y = conv.forward(x);
        assertShape(y, 2, 3, 3, 3);
        double[] expect = naiveConv2d(x.toDoubleArray(), 2, 2, 5, 6, conv.weight().data().toDoubleArray(), 3, 3, 3,
                conv.bias().data().toDoubleArray(), 2, 1, 3, 3);
        assertClose(expect, y, 1e-4);
        var e = assertThrows(IllegalArgumentException.class, () -> conv.forward(Tensor.zeros(1, 4, 5, 5)));
        assertTrue(e.getMessage().contains("Conv2d") && e.getMessage().contains("[1, 4, 5, 5]"), e.getMessage());
    }

    @Test
    void conv1dMatchesNaiveLoop() {
        Conv1d conv = new Conv1d(2, 3, 3, 1, 1, 1, 1, true, Generator.seeded(5));
        Tensor x = randn(6, 2, 2, 7);
        Tensor y = conv.forward(x);
        assertShape(y, 2, 3, 7);
        // a 1-d convolution is a 2-d one over a height-1 image
        double[] expect = naiveConv2d(x.toDoubleArray(), 2, 2, 1, 7, conv.weight().data().toDoubleArray(), 3, 1, 3,
                conv.bias().data().toDoubleArray(), 1, 0, 1, 7);
        // naiveConv2d pads both dims equally; redo with width padding only
        double[] xs = x.toDoubleArray(), k = conv.weight().data().toDoubleArray(), bias = conv.bias().data().toDoubleArray();
        for (int b = 0; b < 2; b++) for (int o = 0; o < 3; o++) for (int j = 0; j < 7; j++) {
            double s = bias[o];
            for (int c = 0; c < 2; c++) for (int v = 0; v < 3; v++) {
                int xx = j - 1 + v;
                if (xx >= 0 && xx < 7) s += xs[(b * 2 + c) * 7 + xx] * k[(o * 2 + c) * 3 + v];
            }
            expect[(b * 3 + o) * 7 + j] = s;
        }
        assertClose(expect, y, 1e-4);
    }

    @Test
    void convTranspose2dMatchesNaiveScatter() {
        ConvTranspose2d up = new ConvTranspose2d(2, 3, 2, 2, 0, Generator.seeded(8));
        Tensor x = randn(9, 1, 2, 3, 2);
        Tensor y = up.forward(x);
        assertShape(y, 1, 3, 6, 4);
        assertArrayEquals(new int[] {2, 3, 2, 2}, up.weight().data().shape());
        double[] xs = x.toDoubleArray(), k = up.weight().data().toDoubleArray(), bias = up.bias().data().toDoubleArray();
        double[] expect = new double[3 * 6 * 4];
        for (int o = 0; o < 3; o++) for (int i = 0; i < 24; i++) expect[o * 24 + i] = bias[o];
        for (int c = 0; c < 2; c++) for (int i = 0; i < 3; i++) for (int j = 0; j < 2; j++) for (int o = 0; o < 3; o++)
            for (int u = 0; u < 2; u++) for (int v = 0; v < 2; v++)
                expect[(o * 6 + 2 * i + u) * 4 + 2 * j + v] += xs[(c * 3 + i) * 2 + j] * k[((c * 3 + o) * 2 + u) * 2 + v];
        assertClose(expect, y, 1e-4);
    }

    @Test
    void batchNorm2dTrainingUsesBatchStatsAndUpdatesBuffers() {
        BatchNorm2d bn = new BatchNorm2d(2);
        assertEquals(List.of("weight", "bias", "running_mean", "running_var", "num_batches_tracked"), List.copyOf(bn.stateDict().keySet()));
        assertEquals(DType.I64, bn.stateDict().get("num_batches_tracked").dtype());
        assertEquals(0, bn.stateDict().get("num_batches_tracked").dim());
        // [N=2, C=2, 1, 2]: channel 0 holds 1..4, channel 1 holds 10 everywhere
        Tensor x = Tensor.of(new float[] {1, 2, 10, 10, 3, 4, 10, 10}, 2, 2, 1, 2);
        Tensor y = bn.forward(x);
        double sd = Math.sqrt(1.25 + 1e-5);
        assertClose(new double[] {-1.5 / sd, -0.5 / sd, 0, 0, 0.5 / sd, 1.5 / sd, 0, 0}, y, 1e-5);
        // running stats: 0.9 * init + 0.1 * batch (unbiased var 5/3 for channel 0, 0 for channel 1)
        assertClose(new double[] {0.25, 1.0}, bn.runningMean(), 1e-6);
        assertClose(new double[] {0.9 + 0.1 * 5.0 / 3, 0.9}, bn.runningVar(), 1e-6);
        assertEquals(1, bn.numBatchesTracked());
        bn.eval();
        Tensor z = bn.forward(x);
        assertClose(new double[] {(1 - 0.25) / Math.sqrt(0.9 + 0.5 / 3 + 1e-5)}, z.flatten().narrow(0, 0, 1), 1e-5);
        assertEquals(1, bn.numBatchesTracked());
        assertThrows(IllegalArgumentException.class, () -> bn.forward(Tensor.zeros(2, 2, 3)));
    }

    @Test
    void batchNorm1dCumulativeMomentumAndNoTracking() {
        BatchNorm1d bn = new BatchNorm1d(1, 1e-5, Double.NaN, true, true);
        bn.forward(Tensor.of(new float[] {1, 3}, 2, 1));
        bn.forward(Tensor.of(new float[] {5, 7}, 2, 1));
        // cumulative average of the batch means 2 and 6
        assertClose(new double[] {4}, bn.runningMean(), 1e-6);
        BatchNorm1d plain = new BatchNorm1d(3, 1e-5, 0.1, false, false);
        assertTrue(plain.stateDict().isEmpty());
        plain.eval();
        Tensor y = plain.forward(randn(1, 4, 3, 5));
        assertClose(new double[] {0, 0, 0}, y.mean(new int[] {0, 2}, false), 1e-5);
    }

    @Test
    void layerNormAndGroupNorm() {
        LayerNorm ln = new LayerNorm(4);
        Tensor y = ln.forward(Tensor.of(new float[] {1, 2, 3, 4}, 1, 4));
        double sd = Math.sqrt(1.25 + 1e-5);
        assertClose(new double[] {-1.5 / sd, -0.5 / sd, 0.5 / sd, 1.5 / sd}, y, 1e-5);
        assertEquals(List.of("weight", "bias"), List.copyOf(ln.stateDict().keySet()));

        GroupNorm gn = new GroupNorm(2, 4);
        Tensor x = randn(3, 2, 4, 3, 3);
        Tensor g = gn.forward(x);
        Tensor grouped = g.reshape(2, 2, 18);
        assertClose(new double[] {0, 0, 0, 0}, grouped.mean(new int[] {2}, false), 1e-5);
        assertClose(new double[] {1, 1, 1, 1}, grouped.var(new int[] {2}, 0, false), 1e-3);
        assertThrows(IllegalArgumentException.class, () -> new GroupNorm(3, 4));
    }

    @Test
    void dropoutMasksInTrainingOnly() {
        Dropout d = new Dropout(0.5, Generator.seeded(11));
        Tensor x = Tensor.ones(4000);
        double[] y = d.forward(x).toDoubleArray();
        int zeros = 0;
        for (double v : y) {
            assertTrue(v == 0 || Math.abs(v - 2) < 1e-6, "survivors are scaled by 1 / (1 - p): " + v);
            if (v == 0) zeros++;
        }
        assertTrue(zeros > 1800 && zeros < 2200, "about half dropped, got " + zeros);
        d.eval();
        assertClose(x, d.forward(x), 0);
        assertThrows(IllegalArgumentException.class, () -> new Dropout(1.0));
    }

    @Test
    void embeddingLooksUpRows() {
        Embedding e = new Embedding(5, 3, Generator.seeded(2));
        Tensor out = e.forward(Tensor.of(new long[] {4, 0, 4}, 3));
        assertShape(out, 3, 3);
        double[] w = e.weight().data().toDoubleArray();
        assertClose(new double[] {w[12], w[13], w[14], w[0], w[1], w[2], w[12], w[13], w[14]}, out, 0);
    }

    @Test
    void activationsMatchFormulas() {
        Tensor x = Tensor.of(new float[] {-2, -0.5f, 0, 1.5f});
        double[] xs = {-2, -0.5, 0, 1.5};
        assertClose(new double[] {0, 0, 0, 1.5}, new ReLU().forward(x), 0);
        assertClose(new double[] {-0.4, -0.1, 0, 1.5}, new LeakyReLU(0.2).forward(x), 1e-6);
        double[] sig = new double[4], tanh = new double[4], silu = new double[4], sp = new double[4], gelu = new double[4];
        for (int i = 0; i < 4; i++) {
            sig[i] = 1 / (1 + Math.exp(-xs[i]));
            tanh[i] = Math.tanh(xs[i]);
            silu[i] = xs[i] * sig[i];
            sp[i] = Math.log1p(Math.exp(xs[i]));
        }
        gelu[0] = -0.04550026;
        gelu[1] = -0.15426877;
        gelu[2] = 0;
        gelu[3] = 1.39978;
        assertClose(sig, new Sigmoid().forward(x), 1e-6);
        assertClose(tanh, new Tanh().forward(x), 1e-6);
        assertClose(silu, new SiLU().forward(x), 1e-6);
        assertClose(sp, new Softplus().forward(x), 1e-6);
        assertClose(gelu, new GELU().forward(x), 1e-4);
        assertClose(x, new Identity().forward(x), 0);
    }

    @Test
    void poolingUpsampleFlatten() {
        Tensor x = Tensor.arange(0, 16, 1, DType.F32, dev.ember.core.Device.CPU).reshape(1, 1, 4, 4);
        assertClose(new double[] {5, 7, 13, 15}, new MaxPool2d(2).forward(x), 0);
        assertClose(new double[] {2.5, 4.5, 10.5, 12.5}, new AvgPool2d(2).forward(x), 1e-6);
        assertClose(new double[] {7.5}, new AdaptiveAvgPool2d(1, 1).forward(x), 1e-6);
        Tensor small = Tensor.of(new float[] {1, 2, 3, 4}, 1, 1, 2, 2);
        assertClose(new double[] {1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4},
                Upsample.scale(2, Upsample.Mode.NEAREST, false).forward(small), 0);
        Tensor bil = Upsample.scale(2, Upsample.Mode.BILINEAR, false).forward(small);
        assertShape(bil, 1, 1, 4, 4);
        // PyTorch: first row of bilinear x2 (align_corners=False) of [[1,2],[3,4]] is 1, 1.25, 1.75, 2
        assertClose(new double[] {1, 1.25, 1.75, 2}, bil.select(2, 0).flatten(), 1e-6);
        Tensor ac = Upsample.size(3, 3, Upsample.Mode.BILINEAR).forward(small);
        assertShape(ac, 1, 1, 3, 3);
        assertShape(new Flatten().forward(Tensor.zeros(2, 3, 4, 5)), 2, 60);
    }

    @Test
    void sequentialNamesChildrenLikePyTorch() {
        Sequential s = new Sequential(new Linear(4, 8), new ReLU(), new Linear(8, 2));
        assertEquals(List.of("0.weight", "0.bias", "2.weight", "2.bias"), List.copyOf(s.stateDict().keySet()));
        assertEquals(3, s.size());
        assertShape(s.forward(Tensor.zeros(5, 4)), 5, 2);
        s.eval();
        for (Module m : s.children().values()) assertTrue(!m.isTraining());
    }
}
