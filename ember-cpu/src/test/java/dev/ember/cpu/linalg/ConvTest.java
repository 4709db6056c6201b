package dev.ember.cpu.linalg;

import dev.ember.core.DType;
import dev.ember.core.Tensor;
import dev.ember.core.ops.ConvOps;
import dev.ember.core.testing.GradCheck;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static dev.ember.cpu.linalg.MatmulTest.assertClose;
import static dev.ember.cpu.linalg.MatmulTest.randn;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

public class ConvTest {

    /** Direct convolution, straight from the definition. */
    public static double[] naiveConv2d(Tensor x, Tensor w, Tensor b, int[] s, int[] p, int[] d, int groups, int[] outShape) {
        int[] xs = x.shape(), ws = w.shape();
        double[] xv = x.toDoubleArray(), wv = w.toDoubleArray(), bv = b == null ? null : b.toDoubleArray();
        int n = xs[0], c = xs[1], h = xs[2], wd = xs[3], o = ws[0], cg = ws[1], kh = ws[2], kw = ws[3];
        int oh = (h + 2 * p[0] - d[0] * (kh - 1) - 1) / s[0] + 1, ow = (wd + 2 * p[1] - d[1] * (kw - 1) - 1) / s[1] + 1;
        assertArrayEquals(new int[] {n, o, oh, ow}, outShape);
        int og = o / groups;
        double[] y = new double[n * o * oh * ow];
        for (int ni = 0; ni < n; ni++)
            for (int oc = 0; oc < o; oc++)
                for (int i = 0; i < oh; i++)
                    for (int j = 0; j < ow; j++) {
                        double acc = bv == null ? 0 : bv[oc];
                        int g = oc / og;
                        for (int ci = 0; ci < cg; ci++)
                            for (int a = 0; a < kh; a++)
                                for (int bb = 0; bb < kw; bb++) {
                                    int ih = i * s[0] - p[0] + a * d[0], iw = j * s[1] - p[1] + bb * d[1];
                                    if (ih < 0 || ih >= h || iw < 0 || iw >= wd) continue;
                                    acc += xv[((ni * c + g * cg + ci) * h + ih) * wd + iw] * wv[((oc * cg + ci) * kh + a) * kw + bb];
                                }
                        y[((ni * o + oc) * oh + i) * ow + j] = acc;
                    }
        return y;
    }

    /** Transposed convolution as the scatter of each input element through the kernel. */
    static double[] naiveConvTranspose2d(Tensor x, Tensor w, Tensor b, int[] s, int[] p, int[] op, int groups, int[] d, int[] outShape) {
        int[] xs = x.shape(), ws = w.shape();
        double[] xv = x.toDoubleArray(), wv = w.toDoubleArray();
        int n = xs[0], cin = xs[1], h = xs[2], wd = xs[3], cog = ws[1], kh = ws[2], kw = ws[3];
        int cout = cog * groups, cig = cin / groups;
        int oh = (h - 1) * s[0] - 2 * p[0] + d[0] * (kh - 1) + op[0] + 1, ow = (wd - 1) * s[1] - 2 * p[1] + d[1] * (kw - 1) + op[1] + 1;
        assertArrayEquals(new int[] {n, cout, oh, ow}, outShape);
        double[] y = new double[n * cout * oh * ow];
        for (int ni = 0; ni < n; ni++)
            for (int ci = 0; ci < cin; ci++)
                for (int i = 0; i < h; i++)
                    for (int j = 0; j < wd; j++)
                        for (int co = 0; co < cog; co++)
                            for (int a = 0; a < kh; a++)
                                for (int bb = 0; bb < kw; bb++) {
                                    int yh = i * s[0] - p[0] + a * d[0], yw = j * s[1] - p[1] + bb * d[1];
                                    if (yh < 0 || yh >= oh || yw < 0 || yw >= ow) continue;
                                    int oc = (ci / cig) * cog + co;
                                    y[((ni * cout + oc) * oh + yh) * ow + yw] += xv[((ni * cin + ci) * h + i) * wd + j] * wv[((ci * cog + co) * kh + a) * kw + bb];
                                }
        if (b != null) {
            double[] bv = b.toDoubleArray();
            for (int k = 0; k < y.length; k++) y[k] += bv[(k / (oh * ow)) % cout];
        }
        return y;
    }

    private record Case(int n, int c, int h, int w, int o, int kh, int kw, int[] s, int[] p, int[] d, int groups) {}

    private static final Case[] CASES = {
            new Case(2, 3, 8, 8, 4, 3, 3, new int[] {1, 1}, new int[] {0, 0}, new int[] {1, 1}, 1),
            new Case(2, 3, 9, 7, 5, 3, 3, new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}, 1),
            new Case(1, 4, 11, 10, 6, 3, 2, new int[] {2, 3}, new int[] {1, 0}, new int[] {1, 1}, 2),
            new Case(3, 6, 10, 12, 6, 3, 3, new int[] {1, 2}, new int[] {2, 2}, new int[] {2, 1}, 3),
            new Case(2, 4, 6, 6, 8, 1, 1, new int[] {1, 1}, new int[] {0, 0}, new int[] {1, 1}, 1),
            new Case(2, 4, 6, 6, 8, 1, 1, new int[] {2, 2}, new int[] {0, 0}, new int[] {1, 1}, 4),
            new Case(1, 2, 5, 5, 3, 5, 5, new int[] {1, 1}, new int[] {2, 2}, new int[] {1, 1}, 1),
            new Case(17, 3, 7, 9, 4, 2, 3, new int[] {2, 1}, new int[] {1, 1}, new int[] {2, 2}, 1),
            new Case(1, 32, 20, 20, 40, 3, 3, new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}, 1),
    };

    @Test
    void conv2dMatchesDirectLoop() {
        for (DType dt : new DType[] {DType.F32, DType.F64}) {
            for (Case k : CASES) {
                Tensor x = randn(dt, k.n, k.c, k.h, k.w), w = randn(dt, k.o, k.c / k.groups, k.kh, k.kw), b = randn(dt, k.o);
                for (Tensor bias : new Tensor[] {null, b}) {
                    Tensor y = ConvOps.conv2d(x, w, bias, k.s, k.p, k.d, k.groups);
                    assertClose(naiveConv2d(x, w, bias, k.s, k.p, k.d, k.groups, y.shape()), y, dt == DType.F32 ? 1e-4 : 1e-10);
                }
            }
        }
    }

    @Test
    void conv2dNonContiguousInputs() {
        Tensor x = randn(DType.F64, 2, 3, 9, 8).transpose(2, 3);
        Tensor w = randn(DType.F64, 3, 4, 3, 3).transpose(0, 1);
        int[] one = {1, 1};
        Tensor y = ConvOps.conv2d(x, w, null, one, one, one, 1);
        assertClose(naiveConv2d(x, w, null, one, one, one, 1, y.shape()), y, 1e-10);
    }

    @Test
    void conv1dMatchesDirectLoop() {
        Tensor x = randn(DType.F64, 2, 4, 13), w = randn(DType.F64, 6, 2, 3), b = randn(DType.F64, 6);
        Tensor y = ConvOps.conv1d(x, w, b, 2, 1, 2, 2);
        assertArrayEquals(new int[] {2, 6, 6}, y.shape());
        double[] expect = naiveConv2d(x.unsqueeze(2), w.unsqueeze(2), b, new int[] {1, 2}, new int[] {0, 1}, new int[] {1, 2}, 2,
                new int[] {2, 6, 1, 6});
        assertClose(expect, y, 1e-10);
    }

    @Test
    void convTranspose2dMatchesScatterLoop() {
        for (DType dt : new DType[] {DType.F32, DType.F64}) {
            int[][][] cfgs = {
                    {{2, 2}, {0, 0}, {0, 0}, {1, 1}},
                    {{2, 2}, {1, 1}, {1, 1}, {1, 1}},
                    {{1, 1}, {1, 1}, {0, 0}, {1, 1}},
                    {{3, 2}, {1, 0}, {2, 1}, {1, 2}},
                    {{1, 2}, {0, 1}, {1, 0}, {2, 2}},
            };
            for (int groups : new int[] {1, 2}) {
                for (int[][] c : cfgs) {
                    Tensor x = randn(dt, 2, 4, 5, 6), w = randn(dt, 4, 3, 3, 2), b = randn(dt, 3 * groups);
                    Tensor y = ConvOps.convTranspose2d(x, w, b, c[0], c[1], c[2], groups, c[3]);
                    assertClose(naiveConvTranspose2d(x, w, b, c[0], c[1], c[2], groups, c[3], y.shape()), y, dt == DType.F32 ? 1e-4 : 1e-10);
                }
            }
        }
    }

    @Test
    void handValues() {
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9}, 1, 1, 3, 3);
        Tensor w = Tensor.of(new float[] {1, 0, 0, -1}, 1, 1, 2, 2);
        int[] one = {1, 1}, zero = {0, 0};
        assertArrayEquals(new float[] {-4, -4, -4, -4}, ConvOps.conv2d(x, w, null, one, zero, one, 1).toFloatArray());
        Tensor up = ConvOps.convTranspose2d(Tensor.of(new float[] {1, 2}, 1, 1, 1, 2), Tensor.of(new float[] {1, 1, 1, 1}, 1, 1, 2, 2),
                null, new int[] {2, 2}, zero, zero, 1, one);
        assertArrayEquals(new float[] {1, 1, 2, 2, 1, 1, 2, 2}, up.toFloatArray());
    }

    @Test
    void conv2dGradients() {
        DType d = DType.F64;
        GradCheck.check(in -> ConvOps.conv2d(in[0], in[1], in[2], new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}, 1),
                randn(d, 2, 2, 4, 5).requiresGrad(true), randn(d, 3, 2, 3, 3).requiresGrad(true), randn(d, 3).requiresGrad(true));
        GradCheck.check(in -> ConvOps.conv2d(in[0], in[1], null, new int[] {2, 1}, new int[] {1, 0}, new int[] {1, 2}, 2),
                randn(d, 1, 4, 6, 6).requiresGrad(true), randn(d, 2, 2, 2, 2).requiresGrad(true));
        // stride that leaves input rows unused: the input gradient needs output padding
        GradCheck.check(in -> ConvOps.conv2d(in[0].transpose(2, 3), in[1], null, new int[] {2, 3}, new int[] {0, 1}, new int[] {1, 1}, 1),
                randn(d, 1, 2, 6, 7).requiresGrad(true), randn(d, 2, 2, 2, 2).requiresGrad(true));
        GradCheck.check(in -> ConvOps.conv1d(in[0], in[1], in[2], 2, 1, 1, 1),
                randn(d, 2, 2, 7).requiresGrad(true), randn(d, 3, 2, 3).requiresGrad(true), randn(d, 3).requiresGrad(true));
    }

    @Test
    void convTransposeGradients() {
        DType d = DType.F64;
        GradCheck.check(in -> ConvOps.convTranspose2d(in[0], in[1], in[2], new int[] {2, 2}, new int[] {1, 0}, new int[] {1, 0}, 1, new int[] {1, 1}),
                randn(d, 2, 2, 3, 3).requiresGrad(true), randn(d, 2, 3, 3, 2).requiresGrad(true), randn(d, 3).requiresGrad(true));
        GradCheck.check(in -> ConvOps.convTranspose2d(in[0], in[1], null, new int[] {1, 2}, new int[] {0, 1}, new int[] {0, 1}, 2, new int[] {2, 1}),
                randn(d, 1, 4, 3, 4).requiresGrad(true), randn(d, 4, 1, 2, 3).requiresGrad(true));
        // output padding at least the stride (allowed because it is below the dilation)
        GradCheck.check(in -> ConvOps.convTranspose2d(in[0], in[1], null, new int[] {1, 1}, new int[] {0, 0}, new int[] {1, 1}, 1, new int[] {2, 2}),
                randn(d, 1, 2, 3, 3).requiresGrad(true), randn(d, 2, 2, 2, 2).requiresGrad(true));
    }

    @Test
    void secondOrderGradientsAreOps() {
        DType d = DType.F64;
        Tensor w = randn(d, 3, 2, 3, 3);
        // the gradient of conv2d w.r.t. x is a transposed convolution, differentiable again in the weight
        GradCheck.check(in -> ConvOps.weightGrad(in[0], in[1], new int[] {3, 2, 3, 3}, new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}, 1),
                randn(d, 2, 2, 5, 4).requiresGrad(true), randn(d, 2, 3, 5, 4).requiresGrad(true));
        GradCheck.check(in -> ConvOps.weightGrad(in[0], in[1], new int[] {2, 1, 2, 2}, new int[] {2, 2}, new int[] {0, 1}, new int[] {1, 1}, 2),
                randn(d, 1, 2, 5, 5).requiresGrad(true), randn(d, 1, 2, 2, 3).requiresGrad(true));
        assertArrayEquals(new int[] {3, 2, 3, 3}, w.shape());
    }

    @Test
    void shapeErrorsNameOpAndShapes() {
        int[] one = {1, 1};
        var e = assertThrows(IllegalArgumentException.class,
                () -> ConvOps.conv2d(Tensor.zeros(2, 4, 8, 8), Tensor.zeros(8, 3, 3, 3), null, one, one, one, 1));
        assertTrue(e.getMessage().equals("conv2d: weight of shape [8, 3, 3, 3] expects 3 input channels but input of shape [2, 4, 8, 8] has 4"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> ConvOps.conv2d(Tensor.zeros(2, 3, 2, 2), Tensor.zeros(8, 3, 5, 5), null, one, new int[] {0, 0}, one, 1));
        assertTrue(e.getMessage().contains("conv2d") && e.getMessage().contains("[2, 3, 2, 2]") && e.getMessage().contains("[8, 3, 5, 5]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> ConvOps.conv2d(Tensor.zeros(2, 3, 8, 8), Tensor.zeros(8, 3, 3, 3), Tensor.zeros(7), one, one, one, 1));
        assertTrue(e.getMessage().contains("conv2d") && e.getMessage().contains("[7]") && e.getMessage().contains("[8, 3, 3, 3]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> ConvOps.convTranspose2d(Tensor.zeros(2, 3, 8, 8), Tensor.zeros(4, 3, 3, 3), null, one, one, new int[] {0, 0}, 1, one));
        assertTrue(e.getMessage().contains("conv_transpose2d") && e.getMessage().contains("[2, 3, 8, 8]") && e.getMessage().contains("[4, 3, 3, 3]"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> ConvOps.convTranspose2d(Tensor.zeros(2, 3, 8, 8), Tensor.zeros(3, 3, 3, 3), null, one, one, one, 1, one));
        assertTrue(e.getMessage().contains("outputPadding"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> ConvOps.conv1d(Tensor.zeros(2, 3, 8, 8), Tensor.zeros(3, 3, 3), null, 1, 0, 1, 1));
        assertTrue(e.getMessage().contains("conv1d") && e.getMessage().contains(Arrays.toString(new int[] {2, 3, 8, 8})), e.getMessage());
    }
}
