package dev.ember.cpu.kernels;

import dev.ember.cpu.CpuParallel;
import dev.ember.cpu.kernels.ConvLayout.Geom;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * The im2col matrix of an f32 convolution, packed straight into a GEMM operand without ever
 * being stored: row p = (c, ky, kx), column j = (image, oy, ox) of several images side by side,
 * value x[image, c, oy*sh - ph + ky*dh, ox*sw - pw + kx*dw] (zero outside the input). It is B of
 * the forward convolution ({@link #pack}), A of the weight gradient's {@code gw^T = col @ gy^T}
 * ({@link #packRows}) or the transposed B of its {@code gw = gy @ col^T} ({@link #packTransposed}).
 *
 * <p>Why: the convolutions used to write the col buffer (rows x columns, kh*kw times the input,
 * far beyond L2) and {@link GemmF32} then read it back and copied it once more into its packed
 * blocks; the two passes through memory cost ~28% of a forward convolution.
 *
 * <p>The input is first copied ("staged") into a heap array of zero-padded planes, [image][channel]
 * [h + 2 ph][w + 2 pw]: a kh*kw-th of the col buffer's size, and afterwards no element needs a
 * bounds test for padding. At a column stride sw above 1 each staged row holds its sw phases one
 * after the other (padded column X at (X mod sw) * wph + X / sw), so that a kernel column reads
 * consecutive staged elements for consecutive outputs at every stride. Every value of B is then
 * {@code staged[rowOffset(p) + colOffset(j)]}, and a vector of L columns is one run of a staged
 * row (one load), two runs where it crosses into the next output row or image (two loads and a
 * blend), or, only on planes narrower than a vector, a gather.
 */
final class Im2colPacker implements GemmF32.BPacker {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final int NR = GemmF32.NR;

    private static final ThreadLocal<float[]> STAGE = ThreadLocal.withInitial(() -> new float[0]);
    /** Per thread: [0] the row (or column) offsets of a block, [1] those of one sliver, [2] packRows' runs. */
    private static final ThreadLocal<int[][]> OFFSETS = ThreadLocal.withInitial(() -> new int[][] {new int[0], new int[NR], new int[0]});

    private final float[] staged;
    private final int wp, wph, plane, image, channel0, khw, kw, dh, dw, ow, oh, sh, sw;

    private Im2colPacker(float[] staged, Stage st, int channel0) {
        Geom g = st.g;
        this.staged = staged;
        this.wp = st.wp;
        this.wph = st.wph;
        this.plane = st.hp * st.wp;
        this.image = st.channels * plane;
        this.channel0 = channel0;
        this.khw = g.kh() * g.kw();
        this.kw = g.kw();
        this.dh = g.dh();
        this.dw = g.dw();
        this.ow = g.ow();
        this.oh = g.oh();
        this.sh = g.sh();
        this.sw = g.sw();
    }

    /**
     * The padded copies of {@code images} consecutive images of the input, each with
     * {@code channels} channels of g's plane, image i's element (c, y, x) at element offset
     * {@code xOff + i * xImg + (c * h + y) * w + x} of {@code x}.
     */
    static final class Stage {
        private final Geom g;
        /** Padded height; padded width, a multiple of sw made of sw phases of wph columns each. */
        private final int channels, hp, wp, wph;
        private final float[] data;

        private Stage(Geom g, int channels, int images, float[] data) {
            this.g = g;
            this.channels = channels;
            // the last output row and column may read up to (o - 1) s + (k - 1) d - p
            this.hp = Math.max(g.h() + 2 * g.ph(), (g.oh() - 1) * g.sh() + (g.kh() - 1) * g.dh() + 1);
            int wRaw = Math.max(g.w() + 2 * g.pw(), (g.ow() - 1) * g.sw() + (g.kw() - 1) * g.dw() + 1);
            this.wph = Math.ceilDiv(wRaw, g.sw());
            this.wp = wph * g.sw();
            this.data = data;
        }

        /** The packer of group {@code group}'s im2col (channels [group * g.c, group * g.c + g.c)) as B. */
        Im2colPacker packer(int group) { return new Im2colPacker(data, this, group * g.c()); }

        /** Group {@code group}'s im2col as A (the weight gradient's {@code gw^T = col @ gy^T}). */
        GemmF32.APacker rows(int group) { return packer(group)::packRows; }

        /** The transpose of group {@code group}'s im2col as B (the weight gradient's {@code gw = gy @ col^T}). */
        GemmF32.BPacker transposed(int group) { return packer(group)::packTransposed; }
    }

    /**
     * Stages the images into the calling thread's buffer (valid until its next call), over the
     * pool when {@code parallel}.
     */
    static Stage stage(MemorySegment x, long xOff, long xImg, int images, int channels, Geom g, boolean parallel) {
        Stage probe = new Stage(g, channels, images, null);
        int hp = probe.hp, wp = probe.wp, plane = hp * wp;
        long size = (long) images * channels * plane;
        if (size > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("convolution: staged input of " + images + " images x " + channels
                    + " channels x " + hp + "x" + wp + " exceeds an array");
        }
        float[] buf = STAGE.get();
        // slack past the end: a vector load that starts in the last row may run over it
        if (buf.length < size + 2 * L) {
            buf = new float[(int) size + 2 * L];
            STAGE.set(buf);
        }
        float[] data = buf;
        int h = g.h(), w = g.w(), ph = g.ph(), pw = g.pw(), sw = g.sw(), wph = probe.wph;
        CpuParallel.Range body = sw > 1 ? (s, e) -> {
            // columns split by phase, x = X mod sw at X / sw of its phase, so that the columns a
            // kernel column reads for consecutive outputs are consecutive
            float[] tmp = new float[h * w];
            for (int q = (int) s; q < e; q++) {
                int img = q / channels, c = q - img * channels;
                int dst = q * plane;
                MemorySegment.copy(x, ValueLayout.JAVA_FLOAT, (xOff + img * xImg + (long) c * h * w) * 4, tmp, 0, h * w);
                Arrays.fill(data, dst, dst + plane, 0);
                for (int y = 0; y < h; y++) {
                    int row = dst + (ph + y) * wp;
                    for (int f = 0; f < sw; f++) {
                        // the input columns xi = X - pw of phase f: X = t sw + f
                        int t = Math.max(0, Math.ceilDiv(pw - f, sw)), xi = t * sw + f - pw;
                        for (int at = row + f * wph + t, from = y * w + xi, end = y * w + w; from < end; at++, from += sw) {
                            data[at] = tmp[from];
                        }
                    }
                }
            }
        } : (s, e) -> {
            for (int q = (int) s; q < e; q++) {
                int img = q / channels, c = q - img * channels;
                int dst = q * plane;
                // one bulk copy of the plane, then its rows spread out in place, last row first so
                // that no row overwrites one not yet moved: per-row segment copies of a 7-wide
                // plane would cost more in call overhead than they move
                MemorySegment.copy(x, ValueLayout.JAVA_FLOAT, (xOff + img * xImg + (long) c * h * w) * 4, data, dst, h * w);
                if (wp != w || ph != 0) {
                    for (int y = h - 1; y >= 0; y--) {
                        int row = dst + (ph + y) * wp;
                        System.arraycopy(data, dst + y * w, data, row + pw, w);
                    }
                    Arrays.fill(data, dst, dst + ph * wp, 0);
                    for (int y = 0; y < h; y++) {
                        int row = dst + (ph + y) * wp;
                        Arrays.fill(data, row, row + pw, 0);
                        Arrays.fill(data, row + pw + w, row + wp, 0);
                    }
                }
                Arrays.fill(data, dst + (ph + h) * wp, dst + plane, 0);
            }
        };
        int n = images * channels;
        if (parallel && n > 1) CpuParallel.forRange(n, Math.max(1, 16_384 / plane), body);
        else body.run(0, n);
        return new Stage(g, channels, images, data);
    }

    /** The offsets of im2col rows [p0, p0 + count) into {@code rowOff}. */
    private void rowOffsets(int p0, int count, int[] rowOff) {
        int c = p0 / khw, r = p0 - c * khw, ky = r / kw, kx = r - ky * kw;
        for (int p = 0; p < count; p++) {
            int dx = kx * dw;
            rowOff[p] = (channel0 + c) * plane + ky * dh * wp + dx % sw * wph + dx / sw;
            if (++kx == kw) {
                kx = 0;
                if (++ky * kw == khw) { ky = 0; c++; }
            }
        }
    }

    /**
     * Rows [ic, ic + mc) of the im2col matrix, columns [pc, pc + kc), as a packed A block: each row
     * is a few runs of staged rows (one per output row the columns touch), copied in bulk.
     */
    void packRows(int ic, int mc, int pc, int kc, float[] dst) {
        int[][] offs = OFFSETS.get();
        if (offs[0].length < mc) offs[0] = new int[mc];
        // runs: [3 r] column index in the block, [3 r + 1] staged offset, [3 r + 2] length
        int maxRuns = kc / ow + 2;
        if (offs[2].length < 3 * maxRuns) offs[2] = new int[3 * maxRuns];
        int[] rowOff = offs[0], runs = offs[2];
        rowOffsets(ic, mc, rowOff);
        int cols = oh * ow, img = pc / cols, q = pc - img * cols, oy = q / ow, ox = q - oy * ow, n = 0;
        for (int p = 0; p < kc; n++) {
            int len = Math.min(ow - ox, kc - p);
            runs[3 * n] = p;
            runs[3 * n + 1] = img * image + oy * sh * wp + ox;
            runs[3 * n + 2] = len;
            p += len;
            ox = 0;
            if (++oy == oh) { oy = 0; img++; }
        }
        int kcA = GemmF32.KC;
        for (int i = 0; i < mc; i++) {
            int r = rowOff[i], d = i * kcA;
            for (int t = 0; t < n; t++) System.arraycopy(staged, r + runs[3 * t + 1], dst, d + runs[3 * t], runs[3 * t + 2]);
        }
        for (int i = mc, rows = Math.ceilDiv(mc, GemmF32.MR) * GemmF32.MR; i < rows; i++) {
            Arrays.fill(dst, i * kcA, i * kcA + kc, 0);
        }
    }

    /**
     * Slivers [s0, s1) of the transposed im2col's kc x nc block at (pc, jc) (rows of B are output
     * positions, columns im2col rows): each row of a sliver is NR im2col rows at one position, a
     * gather through the rows' offsets.
     */
    void packTransposed(int pc, int kc, int jc, int nc, int s0, int s1, float[] dst) {
        int[][] offs = OFFSETS.get();
        if (offs[0].length < kc) offs[0] = new int[kc];
        int[] colOff = offs[0], rowOff = offs[1];
        int cols = oh * ow, img = pc / cols, q = pc - img * cols, oy = q / ow, ox = q - oy * ow;
        for (int p = 0; p < kc; p++) {
            colOff[p] = img * image + oy * sh * wp + ox;
            if (++ox == ow) {
                ox = 0;
                if (++oy == oh) { oy = 0; img++; }
            }
        }
        float[] src = staged;
        for (int sl = s0; sl < s1; sl++) {
            int j0 = sl * NR, w = Math.min(NR, nc - j0);
            int d = sl * kc * NR;
            rowOffsets(jc + j0, w, rowOff);
            if (w < NR) {
                for (int p = 0; p < kc; p++, d += NR) {
                    int base = colOff[p];
                    for (int t = 0; t < w; t++) dst[d + t] = src[base + rowOff[t]];
                    for (int t = w; t < NR; t++) dst[d + t] = 0;
                }
                continue;
            }
            for (int p = 0; p < kc; p++, d += NR) {
                int base = colOff[p];
                FloatVector.fromArray(S, src, base, rowOff, 0).intoArray(dst, d);
                FloatVector.fromArray(S, src, base, rowOff, L).intoArray(dst, d + L);
            }
        }
    }

    @Override
    public void pack(int pc, int kc, int jc, int nc, int s0, int s1, float[] dst) {
        int[][] offs = OFFSETS.get();
        if (offs[0].length < kc) offs[0] = new int[kc];
        int[] rowOff = offs[0], colOff = offs[1];
        rowOffsets(pc, kc, rowOff);
        int cols = oh * ow;
        for (int sl = s0; sl < s1; sl++) {
            int j0 = sl * NR, w = Math.min(NR, nc - j0);
            int d = sl * kc * NR;
            int j = jc + j0, img = j / cols, q = j - img * cols, oy = q / ow, ox = q - oy * ow;
            for (int t = 0; t < w; t++) {
                colOff[t] = img * image + oy * sh * wp + ox;
                if (++ox == ow) {
                    ox = 0;
                    if (++oy == oh) { oy = 0; img++; }
                }
            }
            if (w < NR) {
                for (int p = 0; p < kc; p++, d += NR) {
                    int base = rowOff[p];
                    for (int t = 0; t < w; t++) dst[d + t] = staged[base + colOff[t]];
                    for (int t = w; t < NR; t++) dst[d + t] = 0;
                }
                continue;
            }
            half(colOff, 0, rowOff, kc, dst, d);
            half(colOff, L, rowOff, kc, dst, d + L);
        }
    }

    /**
     * One vector's worth of columns, starting at column {@code t0} of the sliver, for all kc rows.
     * Their offsets form one run (the L columns lie in one output row: one load), two runs (they
     * cross into the next row or image: two loads and a blend, a fraction of a gather's cost), or
     * more (planes narrower than a vector: a gather).
     */
    private void half(int[] colOff, int t0, int[] rowOff, int kc, float[] dst, int d) {
        float[] src = staged;
        int split = 0, runs = 1;
        for (int t = 1; t < L; t++) {
            if (colOff[t0 + t] != colOff[t0 + t - 1] + 1) {
                if (runs++ == 1) split = t;
            }
        }
        if (runs == 1) {
            int a = colOff[t0];
            for (int p = 0; p < kc; p++, d += NR) FloatVector.fromArray(S, src, a + rowOff[p]).intoArray(dst, d);
        } else if (runs == 2) {
            // lanes [0, split) from the first run, the rest from the second, loaded as if it
            // started split lanes earlier
            int a = colOff[t0], b = colOff[t0 + split] - split;
            VectorMask<Float> second = S.indexInRange(-split, L);
            for (int p = 0; p < kc; p++, d += NR) {
                int r = rowOff[p];
                FloatVector.fromArray(S, src, a + r).blend(FloatVector.fromArray(S, src, b + r), second).intoArray(dst, d);
            }
        } else {
            for (int p = 0; p < kc; p++, d += NR) FloatVector.fromArray(S, src, rowOff[p], colOff, t0).intoArray(dst, d);
        }
    }
}
