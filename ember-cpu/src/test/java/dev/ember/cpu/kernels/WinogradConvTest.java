package dev.ember.cpu.kernels;

import dev.ember.core.DType;
import dev.ember.core.Device;
import dev.ember.core.Tensor;
import dev.ember.core.ops.ConvOps;
import dev.ember.core.random.Generator;
import dev.ember.cpu.kernels.ConvLayout.Geom;
import dev.ember.cpu.linalg.ConvTest;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The Winograd F(2x2, 3x3) route of f32 3x3 stride-1 convolutions against the direct sum in
 * double ({@link ConvTest#naiveConv2d}), through the public ops: planes with odd sizes (a last tile half outside), tile rows
 * narrower than a vector and not a multiple of it, "valid", "same" and wider padding, several
 * blocks of tile rows, bias or none, and the stride-1 transposed convolution (conv2d's input
 * gradient), which runs as a flipped conv2d. Each case first checks that it takes the route.
 */
class WinogradConvTest {

    private static final int[] ONE = {1, 1};

    /** {n, c, h, w, o, padding}; with two threads the first five run a block per thread, the last one block over the pool */
    private static final int[][] CASES = {
            {2, 16, 16, 16, 16, 1},   // whole vectors of tiles
            {3, 17, 9, 15, 20, 1},    // odd planes: the last tile row and column half outside
            {1, 24, 37, 30, 16, 0},   // "valid": 35 x 28 output, 14 tiles a row padded to 16
            {2, 16, 13, 12, 18, 2},   // wider than "same": the output grows; 7 tiles a row
            {1, 32, 20, 110, 16, 1},  // 55 tiles a row: several vectors and a padded tail
            {2, 16, 16, 16, 136, 1},  // more output channels than one GEMM row block (128)
            {1, 300, 16, 16, 20, 1},  // two passes over the channels (150 each); one block
    };

    @Test
    void conv2dMatchesDirectSum() {
        long seed = 1;
        for (int[] k : CASES) {
            Geom g = geom(k);
            assertTrue(WinogradConv.applies(DType.F32, k[0], 1, k[4], g), "case takes the Winograd route: " + java.util.Arrays.toString(k));
            Tensor x = Tensor.randn(Generator.seeded(seed++), DType.F32, Device.CPU, k[0], k[1], k[2], k[3]);
            Tensor w = Tensor.randn(Generator.seeded(seed++), DType.F32, Device.CPU, k[4], k[1], 3, 3);
            Tensor b = Tensor.randn(Generator.seeded(seed++), DType.F32, Device.CPU, k[4]);
            for (Tensor bias : new Tensor[] {null, b}) {
                int[] p = {k[5], k[5]};
                Tensor y = ConvOps.conv2d(x, w, bias, ONE, p, ONE, 1);
                check(ConvTest.naiveConv2d(x, w, bias, ONE, new int[] {k[5], k[5]}, ONE, 1, y.shape()), y, k);
            }
        }
    }

    @Test
    void manyBlocksOfTileRows() {
        // 160 tile rows of 64 tiles, about one per block: blocks taken by both threads in turn
        int[] k = {2, 64, 160, 128, 16, 1};
        Geom g = geom(k);
        assertTrue(WinogradConv.applies(DType.F32, k[0], 1, k[4], g));
        Tensor x = Tensor.randn(Generator.seeded(11), DType.F32, Device.CPU, k[0], k[1], k[2], k[3]);
        Tensor w = Tensor.randn(Generator.seeded(12), DType.F32, Device.CPU, k[4], k[1], 3, 3);
        Tensor y = ConvOps.conv2d(x, w, null, ONE, ONE, ONE, 1);
        check(ConvTest.naiveConv2d(x, w, null, ONE, ONE, ONE, 1, y.shape()), y, k);
    }

    @Test
    void transposedConvolutionAtStrideOne() {
        // conv2d's input gradient: gy [n, o, oh, ow] through the weight [o, c, 3, 3] back to [n, c, h, w],
        // computed as a conv2d of gy with the flipped kernel and padding 2 - p
        int n = 2, c = 16, o = 24, h = 15, wd = 14;
        Tensor gy = Tensor.randn(Generator.seeded(21), DType.F32, Device.CPU, n, o, h, wd);
        Tensor w = Tensor.randn(Generator.seeded(22), DType.F32, Device.CPU, o, c, 3, 3);
        Tensor gx = ConvOps.convTranspose2d(gy, w, null, ONE, ONE, new int[] {0, 0}, 1, ONE);
        double[] gv = gy.toDoubleArray(), wv = w.toDoubleArray(), expected = new double[n * c * h * wd];
        for (int ni = 0; ni < n; ni++)
            for (int oc = 0; oc < o; oc++)
                for (int i = 0; i < h; i++)
                    for (int j = 0; j < wd; j++)
                        for (int ci = 0; ci < c; ci++)
                            for (int a = 0; a < 3; a++)
                                for (int bb = 0; bb < 3; bb++) {
                                    int yh = i - 1 + a, yw = j - 1 + bb;
                                    if (yh < 0 || yh >= h || yw < 0 || yw >= wd) continue;
                                    expected[((ni * c + ci) * h + yh) * wd + yw] += gv[((ni * o + oc) * h + i) * wd + j] * wv[((oc * c + ci) * 3 + a) * 3 + bb];
                                }
        assertTrue(WinogradConv.applies(DType.F32, n, 1, c, new Geom(o, h, wd, 3, 3, h, wd, 1, 1, 1, 1, 1, 1)));
        check(expected, gx, new int[] {n, o, h, wd, c, 1});
    }

    private static Geom geom(int[] k) {
        int oh = k[2] + 2 * k[5] - 2, ow = k[3] + 2 * k[5] - 2;
        return new Geom(k[1], k[2], k[3], 3, 3, oh, ow, 1, 1, k[5], k[5], 1, 1);
    }

    /**
     * Every element within 2e-5 of the output's RMS (a sum of 9c products of unit normals, so its
     * RMS is 3 sqrt(c)); F(2x2, 3x3) in f32 stays around 1e-6 of it, a wrong index anywhere far above.
     */
    private static void check(double[] expected, Tensor actual, int[] k) {
        double[] got = actual.toDoubleArray();
        if (got.length != expected.length) fail("element count " + got.length + " vs " + expected.length);
        double ss = 0;
        for (double e : expected) ss += e * e;
        double rms = Math.sqrt(ss / expected.length), worst = 0;
        int at = -1;
        for (int i = 0; i < got.length; i++) {
            double err = Math.abs(got[i] - expected[i]);
            if (err > worst) { worst = err; at = i; }
        }
        if (worst > 2e-5 * rms) {
            fail("case " + java.util.Arrays.toString(k) + ": error " + worst + " at " + at + " (expected " + expected[at]
                    + ", got " + got[at] + "), output RMS " + rms);
        }
    }
}
