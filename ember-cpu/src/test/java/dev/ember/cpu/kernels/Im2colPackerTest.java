package dev.ember.cpu.kernels;

import dev.ember.core.DType;
import dev.ember.cpu.kernels.ConvLayout.Geom;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * {@link Im2colPacker} against the im2col matrix written out, by a naive loop in the test and by
 * {@link ConvLayout#im2col}: blocks of rows and columns at random places (columns starting in the
 * middle of an output row and spanning images, rows starting in the middle of a channel), every
 * sliver range, and geometries with stride, padding, dilation, groups, 1x1 and 7x7 kernels and odd
 * planes. Then the packer inside {@link GemmF32#gemm} against the same GEMM on the stored matrix.
 */
class Im2colPackerTest {

    /** {groups, c per group, h, w, kh, kw, sh, sw, ph, pw, dh, dw, images} */
    private static final int[][] CASES = {
            {1, 3, 7, 7, 3, 3, 1, 1, 1, 1, 1, 1, 5},     // 7x7 planes, many images side by side
            {1, 2, 5, 9, 3, 3, 1, 1, 1, 1, 1, 1, 3},     // odd plane
            {1, 4, 56, 56, 3, 3, 1, 1, 1, 1, 1, 1, 1},   // ResNet stage 1: runs of whole vectors
            {1, 3, 13, 11, 3, 3, 2, 2, 1, 1, 1, 1, 2},   // stride 2
            {1, 2, 9, 9, 1, 1, 2, 2, 0, 0, 1, 1, 4},     // 1x1 stride 2 (downsample)
            {1, 2, 6, 5, 1, 1, 1, 1, 1, 0, 1, 1, 3},     // 1x1 with padding (not the identity)
            {1, 3, 20, 19, 7, 7, 2, 2, 3, 3, 1, 1, 2},   // 7x7 stride 2 stem
            {1, 2, 10, 9, 3, 3, 1, 1, 2, 2, 2, 2, 2},    // dilation
            {3, 2, 6, 5, 3, 3, 1, 1, 1, 1, 1, 1, 4},     // groups
            {2, 3, 8, 7, 3, 2, 1, 2, 0, 1, 2, 1, 3},     // mixed strides, padding, dilation
            {1, 2, 4, 6, 3, 3, 1, 1, 2, 2, 1, 1, 3},     // output larger than the input
    };

    private final Random rnd = new Random(5);

    private static Geom geom(int[] k) {
        int oh = (k[2] + 2 * k[8] - k[10] * (k[4] - 1) - 1) / k[6] + 1;
        int ow = (k[3] + 2 * k[9] - k[11] * (k[5] - 1) - 1) / k[7] + 1;
        return new Geom(k[1], k[2], k[3], k[4], k[5], oh, ow, k[6], k[7], k[8], k[9], k[10], k[11]);
    }

    /** The im2col matrix of one group, [rows][images * cols], straight from the definition. */
    private static float[][] naiveCol(float[] x, int groups, int group, Geom g, int images) {
        int cols = g.cols(), channels = groups * g.c();
        float[][] col = new float[g.rows()][images * cols];
        for (int c = 0; c < g.c(); c++)
            for (int ky = 0; ky < g.kh(); ky++)
                for (int kx = 0; kx < g.kw(); kx++) {
                    int r = (c * g.kh() + ky) * g.kw() + kx;
                    for (int img = 0; img < images; img++)
                        for (int oy = 0; oy < g.oh(); oy++)
                            for (int ox = 0; ox < g.ow(); ox++) {
                                int iy = oy * g.sh() - g.ph() + ky * g.dh(), ix = ox * g.sw() - g.pw() + kx * g.dw();
                                boolean in = iy >= 0 && iy < g.h() && ix >= 0 && ix < g.w();
                                int ch = group * g.c() + c;
                                col[r][img * cols + oy * g.ow() + ox] =
                                        in ? x[((img * channels + ch) * g.h() + iy) * g.w() + ix] : 0;
                            }
                }
        return col;
    }

    @Test
    void blocksMatchTheIm2colMatrix() {
        int nr = GemmF32.NR;
        try (Arena arena = Arena.ofShared()) {
            for (int[] k : CASES) {
                Geom g = geom(k);
                int groups = k[0], images = k[12], channels = groups * g.c();
                long xImg = (long) channels * g.h() * g.w(), pad = 7;
                float[] x = new float[(int) (images * xImg)];
                for (int i = 0; i < x.length; i++) x[i] = rnd.nextFloat() * 2 - 1;
                MemorySegment xm = arena.allocate((x.length + pad) * 4, 64);
                MemorySegment.copy(x, 0, xm, ValueLayout.JAVA_FLOAT, pad * 4, x.length);
                for (boolean parallel : new boolean[] {false, true}) {
                    Im2colPacker.Stage stage = Im2colPacker.stage(xm, pad, xImg, images, channels, g, parallel);
                    for (int gi = 0; gi < groups; gi++) {
                        float[][] col = naiveCol(x, groups, gi, g, images);
                        checkAgainstLayout(arena, xm, pad, xImg, g, gi, images, col);
                        int rows = g.rows(), n = images * g.cols();
                        Im2colPacker packer = stage.packer(gi);
                        for (int trial = 0; trial < 40; trial++) {
                            int pc = trial == 0 ? 0 : rnd.nextInt(rows), kc = trial == 0 ? rows : 1 + rnd.nextInt(rows - pc);
                            int jc = trial == 0 ? 0 : rnd.nextInt(n), nc = trial == 0 ? n : 1 + rnd.nextInt(n - jc);
                            int slivers = (nc + nr - 1) / nr;
                            int s0 = trial % 3 == 2 ? rnd.nextInt(slivers) : 0;
                            int s1 = trial % 3 == 2 ? s0 + 1 + rnd.nextInt(slivers - s0) : slivers;
                            float[] dst = new float[slivers * kc * nr + 3];
                            Arrays.fill(dst, Float.NaN);
                            packer.pack(pc, kc, jc, nc, s0, s1, dst);
                            for (int sl = 0; sl < slivers; sl++)
                                for (int p = 0; p < kc; p++)
                                    for (int t = 0; t < nr; t++) {
                                        float got = dst[(sl * kc + p) * nr + t];
                                        int j = sl * nr + t;
                                        if (sl < s0 || sl >= s1) {
                                            if (!Float.isNaN(got)) fail("wrote outside slivers [" + s0 + ", " + s1 + ") at sliver " + sl);
                                            continue;
                                        }
                                        float want = j < nc ? col[pc + p][jc + j] : 0;
                                        if (got != want) {
                                            fail(Arrays.toString(k) + " group " + gi + " block (" + pc + ", " + kc + ", " + jc + ", " + nc
                                                    + ") sliver " + sl + " row " + p + " lane " + t + ": " + got + " != " + want);
                                        }
                                    }
                        }
                    }
                }
            }
        }
    }

    @Test
    void rowsAndTransposeMatchTheIm2colMatrix() {
        int kcA = GemmF32.KC, mr = GemmF32.MR, nr = GemmF32.NR;
        try (Arena arena = Arena.ofShared()) {
            for (int[] k : CASES) {
                Geom g = geom(k);
                int groups = k[0], images = k[12], channels = groups * g.c();
                long xImg = (long) channels * g.h() * g.w();
                float[] x = new float[(int) (images * xImg)];
                for (int i = 0; i < x.length; i++) x[i] = rnd.nextFloat() * 2 - 1;
                MemorySegment xm = arena.allocate(x.length * 4L, 64);
                MemorySegment.copy(x, 0, xm, ValueLayout.JAVA_FLOAT, 0, x.length);
                Im2colPacker.Stage stage = Im2colPacker.stage(xm, 0, xImg, images, channels, g, true);
                int rows = g.rows(), n = images * g.cols();
                for (int gi = 0; gi < groups; gi++) {
                    float[][] col = naiveCol(x, groups, gi, g, images);
                    for (int trial = 0; trial < 30; trial++) {
                        // A: rows of col, columns (positions) from anywhere, kc up to KC
                        int ic = trial == 0 ? 0 : rnd.nextInt(rows), mc = trial == 0 ? Math.min(rows, 128) : 1 + rnd.nextInt(Math.min(128, rows - ic));
                        int pc = trial == 0 ? 0 : rnd.nextInt(n), kc = 1 + rnd.nextInt(Math.min(kcA, n - pc));
                        int padded = Math.ceilDiv(mc, mr) * mr;
                        float[] a = new float[padded * kcA];
                        Arrays.fill(a, Float.NaN);
                        stage.rows(gi).pack(ic, mc, pc, kc, a);
                        for (int i = 0; i < padded; i++)
                            for (int p = 0; p < kc; p++) {
                                float want = i < mc ? col[ic + i][pc + p] : 0;
                                if (a[i * kcA + p] != want) fail(Arrays.toString(k) + " A block (" + ic + ", " + mc + ", " + pc + ", " + kc + ") at " + i + ", " + p);
                            }
                        // B = col^T: rows are positions, columns im2col rows
                        int bp = rnd.nextInt(n), bk = 1 + rnd.nextInt(n - bp), bj = rnd.nextInt(rows), bn = 1 + rnd.nextInt(rows - bj);
                        int slivers = Math.ceilDiv(bn, nr);
                        float[] b = new float[slivers * bk * nr];
                        Arrays.fill(b, Float.NaN);
                        stage.transposed(gi).pack(bp, bk, bj, bn, 0, slivers, b);
                        for (int sl = 0; sl < slivers; sl++)
                            for (int p = 0; p < bk; p++)
                                for (int t = 0; t < nr; t++) {
                                    int j = sl * nr + t;
                                    float want = j < bn ? col[bj + j][bp + p] : 0;
                                    if (b[(sl * bk + p) * nr + t] != want) fail(Arrays.toString(k) + " B^T block at " + sl + ", " + p + ", " + t);
                                }
                    }
                }
            }
        }
    }

    /** The naive matrix is the one {@link ConvLayout#im2col} writes, image by image into a wide col. */
    private static void checkAgainstLayout(Arena arena, MemorySegment xm, long xOff, long xImg, Geom g, int gi,
                                           int images, float[][] col) {
        int cols = g.cols();
        long ld = (long) images * cols;
        MemorySegment c = arena.allocate(g.rows() * ld * 4, 64);
        for (int img = 0; img < images; img++) {
            ConvLayout.im2col(DType.F32, xm, xOff + img * xImg + (long) gi * g.c() * g.h() * g.w(), g, c, (long) img * cols, ld);
        }
        for (int r = 0; r < g.rows(); r++)
            for (int j = 0; j < ld; j++) assertEquals(col[r][j], c.getAtIndex(ValueLayout.JAVA_FLOAT, r * ld + j), "im2col");
    }

    @Test
    void gemmThroughThePackerMatchesTheStoredMatrix() {
        // m below and above one block of A (the fewRows and general paths), serial and parallel
        try (Arena arena = Arena.ofShared()) {
            for (int[] k : new int[][] {CASES[0], CASES[2], CASES[3], CASES[6], CASES[8]}) {
                Geom g = geom(k);
                int groups = k[0], images = k[12], channels = groups * g.c();
                long xImg = (long) channels * g.h() * g.w();
                MemorySegment xm = arena.allocate(images * xImg * 4, 64);
                for (long i = 0; i < images * xImg; i++) xm.setAtIndex(ValueLayout.JAVA_FLOAT, i, rnd.nextFloat() * 2 - 1);
                int rows = g.rows(), n = images * g.cols();
                for (int m : new int[] {5, 70, 200}) {
                    MemorySegment a = arena.allocate((long) m * rows * 4, 64);
                    for (long i = 0; i < (long) m * rows; i++) a.setAtIndex(ValueLayout.JAVA_FLOAT, i, rnd.nextFloat() * 2 - 1);
                    for (boolean parallel : new boolean[] {false, true}) {
                        Im2colPacker.Stage stage = Im2colPacker.stage(xm, 0, xImg, images, channels, g, parallel);
                        for (int gi = 0; gi < groups; gi++) {
                            float[][] col = naiveCol(toArray(xm, images * xImg), groups, gi, g, images);
                            MemorySegment b = arena.allocate((long) rows * n * 4, 64);
                            for (int r = 0; r < rows; r++) MemorySegment.copy(col[r], 0, b, ValueLayout.JAVA_FLOAT, (long) r * n * 4, n);
                            MemorySegment want = arena.allocate((long) m * n * 4, 64), got = arena.allocate((long) m * n * 4, 64);
                            GemmF32.gemm(m, n, rows, a, 0, rows, 1, b, 0, n, 1, want, 0, n, false, parallel);
                            GemmF32.gemm(m, n, rows, a, 0, rows, 1, stage.packer(gi), got, 0, n, false, parallel);
                            for (long i = 0; i < (long) m * n; i++) {
                                float w = want.getAtIndex(ValueLayout.JAVA_FLOAT, i), v = got.getAtIndex(ValueLayout.JAVA_FLOAT, i);
                                if (w != v) fail(Arrays.toString(k) + " m=" + m + " at " + i + ": " + v + " != " + w);
                            }
                        }
                    }
                }
            }
        }
    }

    private static float[] toArray(MemorySegment s, long n) {
        float[] a = new float[(int) n];
        MemorySegment.copy(s, ValueLayout.JAVA_FLOAT, 0, a, 0, (int) n);
        return a;
    }
}
