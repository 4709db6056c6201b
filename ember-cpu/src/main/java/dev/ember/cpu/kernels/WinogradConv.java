package dev.ember.cpu.kernels;

import dev.ember.core.DType;
import dev.ember.cpu.CpuParallel;
import dev.ember.cpu.kernels.ConvLayout.Geom;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;

import static dev.ember.cpu.kernels.ConvLayout.OUT;
import static dev.ember.cpu.kernels.ConvLayout.TMP;
import static dev.ember.cpu.kernels.ConvLayout.scratch;

/**
 * 3x3 stride-1 f32 convolution by Winograd's minimal filtering F(2x2, 3x3) (Lavin and Gray, "Fast
 * Algorithms for Convolutional Neural Networks", 2016): each 2x2 block of outputs ("tile") comes
 * from a 4x4 patch of input through
 * <pre>
 *   Y = A^T [ (G g G^T) .* (B^T d B) ] A
 * </pre>
 * so the products per tile and channel pair drop from 36 to 16. Summed over input channels, the
 * elementwise product becomes 16 independent GEMMs, one per position xi of the 4x4 transform:
 * {@code M[xi] (O x T) = U[xi] (O x C) @ V[xi] (C x T)}, with U the transformed weights, V the
 * transformed input patches and T the tiles. The GEMMs run on {@link GemmF32}; the transforms are
 * additions only, vectorised across the tiles of a row.
 *
 * <p>Tiles are numbered image by image, tile row by tile row; the work goes in blocks of whole tile
 * rows sized so that a block's V and M stay near the caches rather than spanning hundreds of MB.
 *
 * <p>Rounding: the transforms add up to nine inputs (and their products) with coefficients of
 * one and one half, so the result differs from the direct sum in the last bits; WinogradConvTest
 * holds it within 2e-5 of the output's RMS. {@code -Dember.cpu.winograd=false} turns the route off.
 *
 * <p>Measured against the im2col route (2 threads, interleaved, U-Net and ResNet-18 shapes at
 * batch 4-32): 1.1-2.1x faster from 64 channels, most at 256-1536 channels; at batch 1 on
 * 14x14-56x56 planes about even.
 */
final class WinogradConv {

    private WinogradConv() {}

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
    private static final ValueLayout.OfFloat E = ValueLayout.JAVA_FLOAT;
    /** Interleaves two vectors a, b into [a0 b0 a1 b1 ...] (low half) and the high half. */
    private static final VectorShuffle<Float> ZIP_LO = zip(0), ZIP_HI = zip(L / 2);

    /**
     * Channels (in and out) from which the route is taken: below, the GEMMs are too thin for the
     * transforms' memory passes to be repaid.
     */
    static final int MIN_CHANNELS = 16;
    /**
     * Tiles per GEMM from which the route pays: each of the 16 GEMMs packs its O x C slice of U
     * again, once per block of tiles.
     */
    static final int MIN_TILES = 64;
    /**
     * Sizing a block of tiles: as many as keep its V and M within a core's L2 (for few channels),
     * but at least {@link #MIN_BLOCK_TILES} so that each GEMM's packing of its U slice is repaid,
     * as long as V and M stay under {@link #MAX_BLOCK_BYTES}.
     */
    private static final long L2_BLOCK_BYTES = 384 * 1024, MAX_BLOCK_BYTES = 8L << 20;
    private static final int MIN_BLOCK_TILES = 64;

    /**
     * Whether the route is taken at all ({@code -Dember.cpu.winograd=false} turns it off, for
     * results that match the im2col route's rounding, or to compare the two).
     */
    static volatile boolean enabled = !"false".equals(System.getProperty("ember.cpu.winograd"));

    private static final ThreadLocal<float[][]> ROWS = ThreadLocal.withInitial(() -> new float[2][0]);
    private static final ThreadLocal<float[][]> PANELS = ThreadLocal.withInitial(() -> new float[0][0]);

    /** Whether {@link #forward} takes this convolution: f32, one group, 3x3, stride 1, no dilation. */
    static boolean applies(DType d, int n, int groups, int yc, Geom g) {
        if (!enabled || d != DType.F32 || groups != 1 || g.kh() != 3 || g.kw() != 3 || g.sh() != 1 || g.sw() != 1
                || g.dh() != 1 || g.dw() != 1 || g.c() < MIN_CHANNELS || yc < MIN_CHANNELS) return false;
        int tw = tilesOf(g.ow());
        long tiles = (long) n * tilesOf(g.oh()) * tw;
        // tile rows are padded to whole vectors: at most a sixth more GEMM columns (28 -> 32 tiles
        // a row pays, 12 -> 16 and 4 -> 8 do not)
        return tiles >= MIN_TILES && 6 * (padded(tw) - tw) <= tw;
    }

    /** Tiles a row takes in V and M: whole vectors, so that a vector of tiles never spans two slivers. */
    private static int padded(int tw) { return (tw + L - 1) / L * L; }

    private static int tilesOf(int size) { return (size + 1) / 2; }

    /**
     * y [n, yc, oh, ow] = conv(x [n, g.c, h, w], weights [yc, g.c, 3, 3]) + bias, all contiguous at
     * the given element offsets; bias may be null. Precondition: {@link #applies}.
     */
    static void forward(int n, int yc, Geom g, MemorySegment xm, long xBase, MemorySegment wm, long wBase,
                        MemorySegment bm, long bBase, MemorySegment ym, long yBase) {
        int c = g.c(), th = tilesOf(g.oh()), tw = tilesOf(g.ow());
        long tileRows = (long) n * th;
        // bytes of V and M per tile of a block
        long perTile = 16L * 4 * (c + yc);
        long tiles = Math.max(L2_BLOCK_BYTES / perTile, Math.min(MIN_BLOCK_TILES, MAX_BLOCK_BYTES / perTile));
        int twp = padded(tw), maxRows = Math.max(1, GemmF32.NC / twp);
        int blockRows = (int) Math.max(1, Math.min(Math.min(tileRows, maxRows), Math.round((double) tiles / twp)));
        int threads = CpuParallel.threads();
        boolean perThread = threads > 1 && Math.ceilDiv(tileRows, blockRows) >= threads;
        if (!perThread) blockRows = (int) Math.max(1, Math.min(Math.min(tileRows, maxRows), MAX_BLOCK_BYTES / (perTile * twp)));
        // equal blocks: 10 rows at up to 4 per block run as 4, 3, 3 rather than 4, 4, 2
        int blocks = (int) Math.ceilDiv(tileRows, blockRows);
        int rowsPer = (int) Math.ceilDiv(tileRows, blocks);
        MemorySegment u = scratch(TMP, DType.F32, 16L * yc * c);
        transformWeights(wm, wBase, yc, c, u);
        Block block = new Block(yc, g, th, tw, xm, xBase, u, bm, bBase, ym, yBase);
        if (perThread) {
            CpuParallel.forRange(blocks, 1, (s, e) -> {
                for (int b = (int) s; b < e; b++) {
                    long r0 = (long) b * rowsPer;
                    block.run(r0, (int) Math.min(rowsPer, tileRows - r0), false);
                }
            });
        } else {
            for (long r0 = 0; r0 < tileRows; r0 += rowsPer) block.run(r0, (int) Math.min(rowsPer, tileRows - r0), true);
        }
    }

    /**
     * One block of tile rows, start to end: input transform into V, the 16 GEMMs into M, output
     * transform into y. Either the whole block on the calling thread (one of several blocks
     * running side by side, V and M in that thread's scratch and, for few channels, its L2), or
     * each step split over the pool.
     */
    private record Block(int yc, Geom g, int th, int tw, MemorySegment xm, long xBase, MemorySegment u,
                         MemorySegment bm, long bBase, MemorySegment ym, long yBase) {

        void run(long r0, int rows, boolean parallel) {
            int c = g.c(), twp = padded(tw), tb = rows * twp;
            int kStep = GemmF32.kStep(c), passes = Math.ceilDiv(c, kStep);
            int panelSize = Math.ceilDiv(tb, GemmF32.NR) * GemmF32.NR * kStep;
            float[][] v = panels(16 * passes, panelSize);
            MemorySegment m = scratch(OUT, DType.F32, 16 * plane(yc, tb));
            CpuParallel.Range in = (s, e) -> {
                for (int ci = (int) s; ci < e; ci++) transformInput(xm, xBase, g, ci, r0, rows, th, tw, v, kStep, passes);
            };
            if (parallel) CpuParallel.forRange(c, 1, in);
            else in.run(0, c);
            for (int xi = 0; xi < 16; xi++) {
                int first = xi * passes;
                GemmF32.gemm(yc, tb, c, u, (long) xi * yc * c, c, 1, new GemmF32.BPacker() {
                    @Override
                    public void pack(int pc, int kc, int jc, int nc, int s0, int s1, float[] dst) {
                        int len = kc * GemmF32.NR;
                        System.arraycopy(v[first + pc / kStep], (jc / GemmF32.NR + s0) * len, dst, s0 * len, (s1 - s0) * len);
                    }

                    @Override
                    public float[] panel(int pc, int kc, int jc, int nc) {
                        return jc == 0 && nc == tb ? v[first + pc / kStep] : null;
                    }
                }, m, xi * plane(yc, tb), tb, false, parallel);
            }
            CpuParallel.Range out = (s, e) -> {
                for (int o = (int) s; o < e; o++) {
                    float bias = bm == null ? 0f : bm.get(E, (bBase + o) * 4);
                    transformOutput(m, o, yc, tb, r0, rows, th, tw, g, bias, ym, yBase);
                }
            };
            if (parallel) CpuParallel.forRange(yc, 1, out);
            else out.run(0, yc);
        }
    }

    /**
     * The calling thread's V: one array per GEMM panel (16 positions x passes over the channels),
     * each already in the GEMM's packed-B layout, grown on demand and kept. Each is a cache line
     * longer than it needs: the input transform stores into all 16 positions at once, and arrays
     * of exactly 16 KiB (64 channels of 64 tiles) would sit in one L1 set and evict each other.
     */
    private static float[][] panels(int count, int size) {
        float[][] have = PANELS.get();
        if (have.length < count || have[0].length < size) {
            int n = Math.max(count, have.length), len = Math.max(size, have.length > 0 ? have[0].length : 0) + 16;
            have = new float[n][len];
            PANELS.set(have);
        }
        return have;
    }

    /**
     * U[xi][o][ci] = (G w[o, ci] G^T)[xi], G = [[1, 0, 0], [1/2, 1/2, 1/2], [1/2, -1/2, 1/2], [0, 0, 1]].
     * One output channel at a time through heap arrays: its c x 9 weights in, its 16 rows of c out.
     */
    private static void transformWeights(MemorySegment wm, long wBase, int yc, int c, MemorySegment u) {
        long plane = (long) yc * c;
        CpuParallel.forRange(yc, 4, (s, e) -> {
            float[] k = new float[9 * c], rows = new float[16 * c], gg = new float[12];
            for (int o = (int) s; o < e; o++) {
                MemorySegment.copy(wm, E, (wBase + (long) o * c * 9) * 4, k, 0, 9 * c);
                for (int ci = 0; ci < c; ci++) {
                    int at = 9 * ci;
                    for (int j = 0; j < 3; j++) {
                        float g0 = k[at + j], g1 = k[at + 3 + j], g2 = k[at + 6 + j];
                        gg[j] = g0;
                        gg[3 + j] = 0.5f * (g0 + g1 + g2);
                        gg[6 + j] = 0.5f * (g0 - g1 + g2);
                        gg[9 + j] = g2;
                    }
                    for (int r = 0; r < 4; r++) {
                        float a = gg[3 * r], b = gg[3 * r + 1], cc = gg[3 * r + 2];
                        rows[(4 * r) * c + ci] = a;
                        rows[(4 * r + 1) * c + ci] = 0.5f * (a + b + cc);
                        rows[(4 * r + 2) * c + ci] = 0.5f * (a - b + cc);
                        rows[(4 * r + 3) * c + ci] = cc;
                    }
                }
                for (int xi = 0; xi < 16; xi++) {
                    MemorySegment.copy(rows, xi * c, u, E, (xi * plane + (long) o * c) * 4, c);
                }
            }
        });
    }

    /**
     * V[xi][ci][t] = (B^T d B)[xi] for the tiles t of tile rows [r0, r0 + rows) and channel ci, with
     * B^T = [[1, 0, -1, 0], [0, 1, 1, 0], [0, -1, 1, 0], [0, 1, 0, -1]]. The four input rows of a
     * tile row are first split into even and odd columns (zero outside the image), so that the
     * patches of L adjacent tiles are four unit-stride vector loads per row: column j of a patch is
     * the even (j = 0, 2) or odd (j = 1, 3) phase, from tile tc (j < 2) or tc + 1.
     */
    private static void transformInput(MemorySegment xm, long xBase, Geom g, int ci, long r0, int rows,
                                       int th, int tw, float[][] v, int kStep, int passes) {
        int c = g.c(), h = g.h(), w = g.w(), ph = g.ph(), pw = g.pw();
        int len = tw + 1 + L;
        float[][] bufs = ROWS.get();
        if (bufs[0].length < 10 * len) bufs[0] = new float[10 * len];
        float[] d = bufs[0];
        // row i of the patches: even phase at 2 i len, odd phase at (2 i + 1) len; one padded input
        // row at 8 len (w + pw <= 2 tw + 2 < 2 len)
        int r1 = 2 * len, r2 = 4 * len, r3 = 6 * len, padded = 8 * len;
        // channel ci is row p of pass `pass` in each position's panels; a tile t of the block is
        // column t % NR of sliver t / NR, whose rows are NR apart
        int pass = ci / kStep, p = ci - pass * kStep, kc = Math.min(kStep, c - pass * kStep), nr = GemmF32.NR;
        int twp = padded(tw);
        for (int rr = 0; rr < rows; rr++) {
            long tr = r0 + rr;
            int img = (int) (tr / th), r = (int) (tr % th);
            long plane = xBase + ((long) img * c + ci) * h * w;
            for (int i = 0; i < 4; i++) {
                int iy = 2 * r - ph + i, even = 2 * i * len;
                if (iy < 0 || iy >= h) {
                    Arrays.fill(d, even, even + 2 * len, 0f);
                    continue;
                }
                Arrays.fill(d, padded, padded + 2 * len, 0f);
                MemorySegment.copy(xm, E, (plane + (long) iy * w) * 4, d, padded + pw, w);
                for (int t = 0, q = padded; t < len; t++, q += 2) {
                    d[even + t] = d[q];
                    d[even + len + t] = d[q + 1];
                }
            }
            for (int tc = 0; tc < tw; tc += L) {
                int t = rr * twp + tc, at = t / nr * kc * nr + p * nr + t % nr;
                // q = B^T d, one row k at a time from two patch rows (0 - 2, 1 + 2, 2 - 1, 1 - 3),
                // then V row k = q B; written out rather than through helpers, which C2 declines
                // to inline here and which would then box every vector they return
                int e0 = tc, o0 = len + tc, e1 = tc + 1, o1 = len + tc + 1;
                FloatVector q0 = FloatVector.fromArray(S, d, e0).sub(FloatVector.fromArray(S, d, r2 + e0));
                FloatVector q1 = FloatVector.fromArray(S, d, o0).sub(FloatVector.fromArray(S, d, r2 + o0));
                FloatVector q2 = FloatVector.fromArray(S, d, e1).sub(FloatVector.fromArray(S, d, r2 + e1));
                FloatVector q3 = FloatVector.fromArray(S, d, o1).sub(FloatVector.fromArray(S, d, r2 + o1));
                q0.sub(q2).intoArray(v[pass], at);
                q1.add(q2).intoArray(v[1 * passes + pass], at);
                q2.sub(q1).intoArray(v[2 * passes + pass], at);
                q1.sub(q3).intoArray(v[3 * passes + pass], at);
                q0 = FloatVector.fromArray(S, d, r1 + e0).add(FloatVector.fromArray(S, d, r2 + e0));
                q1 = FloatVector.fromArray(S, d, r1 + o0).add(FloatVector.fromArray(S, d, r2 + o0));
                q2 = FloatVector.fromArray(S, d, r1 + e1).add(FloatVector.fromArray(S, d, r2 + e1));
                q3 = FloatVector.fromArray(S, d, r1 + o1).add(FloatVector.fromArray(S, d, r2 + o1));
                q0.sub(q2).intoArray(v[4 * passes + pass], at);
                q1.add(q2).intoArray(v[5 * passes + pass], at);
                q2.sub(q1).intoArray(v[6 * passes + pass], at);
                q1.sub(q3).intoArray(v[7 * passes + pass], at);
                q0 = FloatVector.fromArray(S, d, r2 + e0).sub(FloatVector.fromArray(S, d, r1 + e0));
                q1 = FloatVector.fromArray(S, d, r2 + o0).sub(FloatVector.fromArray(S, d, r1 + o0));
                q2 = FloatVector.fromArray(S, d, r2 + e1).sub(FloatVector.fromArray(S, d, r1 + e1));
                q3 = FloatVector.fromArray(S, d, r2 + o1).sub(FloatVector.fromArray(S, d, r1 + o1));
                q0.sub(q2).intoArray(v[8 * passes + pass], at);
                q1.add(q2).intoArray(v[9 * passes + pass], at);
                q2.sub(q1).intoArray(v[10 * passes + pass], at);
                q1.sub(q3).intoArray(v[11 * passes + pass], at);
                q0 = FloatVector.fromArray(S, d, r1 + e0).sub(FloatVector.fromArray(S, d, r3 + e0));
                q1 = FloatVector.fromArray(S, d, r1 + o0).sub(FloatVector.fromArray(S, d, r3 + o0));
                q2 = FloatVector.fromArray(S, d, r1 + e1).sub(FloatVector.fromArray(S, d, r3 + e1));
                q3 = FloatVector.fromArray(S, d, r1 + o1).sub(FloatVector.fromArray(S, d, r3 + o1));
                q0.sub(q2).intoArray(v[12 * passes + pass], at);
                q1.add(q2).intoArray(v[13 * passes + pass], at);
                q2.sub(q1).intoArray(v[14 * passes + pass], at);
                q1.sub(q3).intoArray(v[15 * passes + pass], at);
            }
        }
    }

    /**
     * Elements from M[xi] to M[xi + 1], for rows of ld: a cache line more than the rows take. The
     * output transform reads all 16 at once, and at a multiple of 4 KiB apart (64 channels of 64
     * tiles) they would fall into one L1 set and evict each other (the input transform, storing
     * that way, ran several times slower before its planes were set apart so).
     */
    private static long plane(int rowsPer, int ld) { return (long) rowsPer * ld + 16; }

    /**
     * y[o] for the tiles of tile rows [r0, r0 + rows): Y = A^T M A + bias with A^T = [[1, 1, 1, 0],
     * [0, 1, -1, -1]]. The 2x2 outputs of L adjacent tiles are interleaved into two output rows in
     * a heap buffer, whose valid columns are then copied out (the last tile of an odd-sized plane
     * is half outside it).
     */
    private static void transformOutput(MemorySegment m, int o, int yc, int tb, long r0, int rows, int th, int tw,
                                        Geom g, float bias, MemorySegment ym, long yBase) {
        int oh = g.oh(), ow = g.ow();
        float[][] bufs = ROWS.get();
        int rowLen = 2 * tw + 2 * L;
        if (bufs[1].length < 2 * rowLen) bufs[1] = new float[2 * rowLen];
        float[] out = bufs[1];
        FloatVector bv = FloatVector.broadcast(S, bias);
        long x1 = plane(yc, tb) * 4;
        int twp = padded(tw);
        for (int rr = 0; rr < rows; rr++) {
            long tr = r0 + rr;
            int img = (int) (tr / th), r = (int) (tr % th);
            long base = ((long) o * tb + (long) rr * twp) * 4;
            for (int tc = 0; tc < tw; tc += L) {
                long at = base + (long) tc * 4;
                // column j of A^T M: s0j = m0j + m1j + m2j, s1j = m1j - m2j - m3j (m_kj = M[4k + j]),
                // written out for the same reason as in transformInput
                FloatVector m1 = FloatVector.fromMemorySegment(S, m, at + 4 * x1, NATIVE);
                FloatVector m2 = FloatVector.fromMemorySegment(S, m, at + 8 * x1, NATIVE);
                FloatVector s00 = FloatVector.fromMemorySegment(S, m, at, NATIVE).add(m1).add(m2);
                FloatVector s10 = m1.sub(m2).sub(FloatVector.fromMemorySegment(S, m, at + 12 * x1, NATIVE));
                long a1 = at + x1;
                m1 = FloatVector.fromMemorySegment(S, m, a1 + 4 * x1, NATIVE);
                m2 = FloatVector.fromMemorySegment(S, m, a1 + 8 * x1, NATIVE);
                FloatVector s01 = FloatVector.fromMemorySegment(S, m, a1, NATIVE).add(m1).add(m2);
                FloatVector s11 = m1.sub(m2).sub(FloatVector.fromMemorySegment(S, m, a1 + 12 * x1, NATIVE));
                long a2 = a1 + x1;
                m1 = FloatVector.fromMemorySegment(S, m, a2 + 4 * x1, NATIVE);
                m2 = FloatVector.fromMemorySegment(S, m, a2 + 8 * x1, NATIVE);
                FloatVector s02 = FloatVector.fromMemorySegment(S, m, a2, NATIVE).add(m1).add(m2);
                FloatVector s12 = m1.sub(m2).sub(FloatVector.fromMemorySegment(S, m, a2 + 12 * x1, NATIVE));
                long a3 = a2 + x1;
                m1 = FloatVector.fromMemorySegment(S, m, a3 + 4 * x1, NATIVE);
                m2 = FloatVector.fromMemorySegment(S, m, a3 + 8 * x1, NATIVE);
                FloatVector s03 = FloatVector.fromMemorySegment(S, m, a3, NATIVE).add(m1).add(m2);
                FloatVector s13 = m1.sub(m2).sub(FloatVector.fromMemorySegment(S, m, a3 + 12 * x1, NATIVE));
                // the two outputs of each tile side by side: [y0 of tile 0, y1 of tile 0, y0 of tile 1, ...]
                FloatVector y0 = s00.add(s01).add(s02).add(bv), y1 = s01.sub(s02).sub(s03).add(bv);
                y0.rearrange(ZIP_LO, y1).intoArray(out, 2 * tc);
                y0.rearrange(ZIP_HI, y1).intoArray(out, 2 * tc + L);
                y0 = s10.add(s11).add(s12).add(bv);
                y1 = s11.sub(s12).sub(s13).add(bv);
                y0.rearrange(ZIP_LO, y1).intoArray(out, rowLen + 2 * tc);
                y0.rearrange(ZIP_HI, y1).intoArray(out, rowLen + 2 * tc + L);
            }
            long plane = yBase + ((long) img * yc + o) * oh * ow;
            for (int i = 0; i < 2 && 2 * r + i < oh; i++) {
                MemorySegment.copy(out, i * rowLen, ym, E, (plane + (long) (2 * r + i) * ow) * 4, ow);
            }
        }
    }

    private static VectorShuffle<Float> zip(int from) {
        int[] idx = new int[L];
        for (int l = 0; l < L; l += 2) {
            idx[l] = from + l / 2;
            idx[l + 1] = from + l / 2 - L;  // an exceptional index: lane from + l/2 of the second vector
        }
        return VectorShuffle.fromValues(S, idx);
    }
}
