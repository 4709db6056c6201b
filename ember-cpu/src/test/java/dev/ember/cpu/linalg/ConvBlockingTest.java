package dev.ember.cpu.linalg;

import dev.ember.core.DType;
import dev.ember.core.Device;
import dev.ember.core.Tensor;
import dev.ember.core.ops.ConvOps;
import dev.ember.core.testing.GradCheck;
import org.junit.jupiter.api.Test;

import static dev.ember.cpu.linalg.ConvTest.naiveConv2d;
import static dev.ember.cpu.linalg.ConvTest.naiveConvTranspose2d;
import static dev.ember.cpu.linalg.MatmulTest.assertClose;
import static dev.ember.cpu.linalg.MatmulTest.randn;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * The three convolution kernels on the shapes that take their different paths: several images
 * side by side in one GEMM (small planes), one image per thread (large planes, batch above the
 * thread count), a single image with a parallel GEMM, the 1x1 kernels that skip im2col, and
 * strided, padded, dilated and grouped geometries with odd sizes. Which path a case takes
 * depends on the thread count; the comments name the one it takes with two threads.
 */
class ConvBlockingTest {

    /** The weight gradient straight from its definition: gw[o, c, a, b] = sum gy[n, o, i, j] x[n, c, i*s - p + a*d, ...]. */
    static double[] naiveWeightGrad(Tensor x, Tensor gy, int[] ws, int[] s, int[] p, int[] d, int groups) {
        int[] xs = x.shape(), gs = gy.shape();
        double[] xv = x.toDoubleArray(), gv = gy.toDoubleArray();
        int n = xs[0], c = xs[1], h = xs[2], wd = xs[3], o = ws[0], cg = ws[1], kh = ws[2], kw = ws[3];
        int oh = gs[2], ow = gs[3], og = o / groups;
        double[] gw = new double[o * cg * kh * kw];
        for (int oc = 0; oc < o; oc++)
            for (int ci = 0; ci < cg; ci++)
                for (int a = 0; a < kh; a++)
                    for (int bb = 0; bb < kw; bb++) {
                        double acc = 0;
                        int xc = (oc / og) * cg + ci;
                        for (int ni = 0; ni < n; ni++)
                            for (int i = 0; i < oh; i++)
                                for (int j = 0; j < ow; j++) {
                                    int ih = i * s[0] - p[0] + a * d[0], iw = j * s[1] - p[1] + bb * d[1];
                                    if (ih < 0 || ih >= h || iw < 0 || iw >= wd) continue;
                                    acc += gv[((ni * o + oc) * oh + i) * ow + j] * xv[((ni * c + xc) * h + ih) * wd + iw];
                                }
                        gw[((oc * cg + ci) * kh + a) * kw + bb] = acc;
                    }
        return gw;
    }

    private record Case(String why, int n, int c, int h, int w, int o, int k, int[] s, int[] p, int[] d, int groups) {}

    private static final int[] ONE = {1, 1}, TWO = {2, 2}, ZERO = {0, 0};

    private static final Case[] CASES = {
            new Case("small planes, many images: blocked GEMMs split per thread", 48, 6, 7, 7, 10, 3, ONE, ONE, ONE, 1),
            new Case("small planes, few images: one blocked GEMM over the pool", 5, 6, 5, 3, 7, 3, ONE, ONE, ONE, 1),
            new Case("large planes, batch above the threads: one image per GEMM", 3, 4, 25, 23, 5, 3, ONE, ONE, ONE, 1),
            new Case("batch 1", 1, 5, 9, 11, 4, 3, ONE, ONE, ONE, 1),
            new Case("1x1 stride 1, blocked", 9, 8, 5, 5, 12, 1, ONE, ZERO, ONE, 1),
            new Case("1x1 stride 1, one image per GEMM", 2, 3, 30, 31, 5, 1, ONE, ZERO, ONE, 1),
            new Case("1x1 stride 2 (ResNet downsample)", 6, 8, 9, 9, 16, 1, TWO, ZERO, ONE, 1),
            new Case("stride 2 with padding, odd size", 7, 3, 13, 11, 6, 3, TWO, ONE, ONE, 1),
            new Case("dilation and padding", 4, 4, 10, 9, 6, 3, ONE, TWO, TWO, 1),
            new Case("groups, blocked", 11, 6, 6, 5, 9, 3, ONE, ONE, ONE, 3),
            new Case("groups, 1x1, one image per GEMM", 2, 4, 24, 24, 6, 1, ONE, ZERO, ONE, 2),
            new Case("depthwise", 3, 4, 8, 8, 4, 3, TWO, ONE, ONE, 4),
            new Case("7x7 stride 2 stem, odd plane", 3, 3, 17, 15, 8, 7, TWO, new int[] {3, 3}, ONE, 1),
            new Case("5x9 planes, batch above the threads, blocked", 9, 4, 5, 9, 6, 3, ONE, ONE, ONE, 1),
            new Case("wide enough for several B chunks, one image", 1, 3, 40, 44, 5, 3, ONE, ONE, ONE, 1),
    };

    @Test
    void conv2dMatchesDirectLoop() {
        for (DType dt : new DType[] {DType.F32, DType.F64}) {
            for (Case k : CASES) {
                Tensor x = randn(dt, k.n, k.c, k.h, k.w), w = randn(dt, k.o, k.c / k.groups, k.k, k.k), b = randn(dt, k.o);
                for (Tensor bias : new Tensor[] {null, b}) {
                    Tensor y = ConvOps.conv2d(x, w, bias, k.s, k.p, k.d, k.groups);
                    assertClose(naiveConv2d(x, w, bias, k.s, k.p, k.d, k.groups, y.shape()), y, dt == DType.F32 ? 1e-4 : 1e-10);
                }
            }
        }
    }

    @Test
    void inputGradientMatchesScatterLoop() {
        for (DType dt : new DType[] {DType.F32, DType.F64}) {
            for (Case k : CASES) {
                // the transposed convolution of an output-sized tensor, with the conv2d weight: conv2d's input gradient
                Tensor w = randn(dt, k.o, k.c / k.groups, k.k, k.k);
                int[] ys = ConvOps.conv2d(Tensor.zeros(dt, Device.CPU, 1, k.c, k.h, k.w), w, null, k.s, k.p, k.d, k.groups).shape();
                Tensor gy = randn(dt, k.n, k.o, ys[2], ys[3]), b = randn(dt, k.c);
                Tensor gx = ConvOps.convTranspose2d(gy, w, b, k.s, k.p, ZERO, k.groups, k.d);
                assertClose(naiveConvTranspose2d(gy, w, b, k.s, k.p, ZERO, k.groups, k.d, gx.shape()), gx, dt == DType.F32 ? 1e-4 : 1e-10);
            }
        }
    }

    @Test
    void inputGradientOfManyChannelsAtStrideOne() {
        // from 16 (f32) or 128 (f64) output channels per group a stride-1 transposed convolution
        // runs as a conv2d with the kernel flipped
        int[][][] cfgs = {
                {{1, 1}, {1, 1}},   // "same" padding
                {{2, 1}, {1, 2}},   // dilation, uneven padding
                {{1, 1}, {0, 0}},   // the output grows by k - 1
                {{1, 1}, {3, 2}},   // padding beyond d*(k-1): the col2im path
        };
        for (DType dt : new DType[] {DType.F32, DType.F64}) {
            for (int groups : new int[] {1, 2}) {
                for (int[][] c : cfgs) {
                    int cog = dt == DType.F32 && groups == 2 ? 16 : 128;
                    Tensor x = randn(dt, 3, 4 * groups, 6, 5), w = randn(dt, 4 * groups, cog, 3, 3), b = randn(dt, cog * groups);
                    Tensor y = ConvOps.convTranspose2d(x, w, b, ONE, c[1], ZERO, groups, c[0]);
                    assertClose(naiveConvTranspose2d(x, w, b, ONE, c[1], ZERO, groups, c[0], y.shape()), y, dt == DType.F32 ? 1e-4 : 1e-10);
                }
            }
        }
    }

    @Test
    void weightGradientMatchesDirectLoop() {
        for (DType dt : new DType[] {DType.F32, DType.F64}) {
            for (Case k : CASES) {
                int[] ws = {k.o, k.c / k.groups, k.k, k.k};
                Tensor x = randn(dt, k.n, k.c, k.h, k.w);
                int[] ys = ConvOps.conv2d(x, Tensor.zeros(dt, Device.CPU, ws), null, k.s, k.p, k.d, k.groups).shape();
                Tensor gy = randn(dt, ys);
                Tensor gw = ConvOps.weightGrad(x, gy, ws, k.s, k.p, k.d, k.groups);
                assertArrayEquals(ws, gw.shape());
                // sums run over n * Ho * Wo products, up to a few thousand
                assertClose(naiveWeightGrad(x, gy, ws, k.s, k.p, k.d, k.groups), gw, dt == DType.F32 ? 1e-3 : 1e-10);
            }
        }
    }

    @Test
    void weightGradientOfATruncatedOutput() {
        // gy covers only the top-left of the convolution output (stride leaves input rows unused)
        Tensor x = randn(DType.F64, 12, 4, 9, 8), gy = randn(DType.F64, 12, 6, 3, 2);
        int[] ws = {6, 4, 3, 3}, s = {3, 3};
        Tensor gw = ConvOps.weightGrad(x, gy, ws, s, ONE, ONE, 1);
        assertClose(naiveWeightGrad(x, gy, ws, s, ONE, ONE, 1), gw, 1e-10);
    }

    @Test
    void blockedGradients() {
        DType d = DType.F64;
        GradCheck.check(in -> ConvOps.conv2d(in[0], in[1], in[2], ONE, ONE, ONE, 1),
                randn(d, 6, 2, 3, 4).requiresGrad(true), randn(d, 3, 2, 3, 3).requiresGrad(true), randn(d, 3).requiresGrad(true));
        GradCheck.check(in -> ConvOps.conv2d(in[0], in[1], null, TWO, ZERO, ONE, 2),
                randn(d, 5, 4, 5, 5).requiresGrad(true), randn(d, 4, 2, 1, 1).requiresGrad(true));
    }
}
