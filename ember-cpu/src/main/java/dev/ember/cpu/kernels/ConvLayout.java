package dev.ember.cpu.kernels;

import dev.ember.core.DType;
import dev.ember.cpu.CpuParallel;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The data movement around the convolution GEMMs: im2col and its adjoint col2im (both writing or
 * reading a column block of a wider matrix, so that several images share one GEMM), copies of
 * row blocks between strided layouts, a cache-blocked transpose, and per-thread native scratch.
 * Offsets, strides and counts are in elements; everything is dtype-agnostic by element size except
 * the additions of col2im.
 */
final class ConvLayout {

    private ConvLayout() {}

    /** The sizes of one convolution: input plane (c, h, w), kernel, output plane, and geometry. */
    record Geom(int c, int h, int w, int kh, int kw, int oh, int ow,
                int sh, int sw, int ph, int pw, int dh, int dw) {
        int rows() { return c * kh * kw; }
        int cols() { return oh * ow; }
        /** Whether col is the input itself (1x1 kernel, stride 1, no padding). */
        boolean identity() { return kh == 1 && kw == 1 && sh == 1 && sw == 1 && ph == 0 && pw == 0 && oh == h && ow == w; }
    }

    /** Scratch slots: one per buffer a kernel holds at once. */
    static final int COL = 0, OUT = 1, ACC = 2, TMP = 3, WEIGHT = 4;

    private static final ThreadLocal<MemorySegment[]> SCRATCH = ThreadLocal.withInitial(() -> new MemorySegment[5]);

    /**
     * The calling thread's native scratch segment {@code slot} with room for {@code n} elements
     * of {@code d}, grown on demand and kept, so a convolution in steady state allocates nothing.
     * Native rather than heap so that the GEMM's segment call sites see one segment class.
     */
    static MemorySegment scratch(int slot, DType d, long n) {
        long bytes = Math.max(64, n * d.byteSize());
        MemorySegment[] s = SCRATCH.get();
        if (s[slot] == null || s[slot].byteSize() < bytes) s[slot] = Arena.ofAuto().allocate(bytes, 64);
        return s[slot];
    }

    /**
     * col[(c, i, j), colOff + (oh, ow)] = x[c, oh*sh - ph + i*dh, ow*sw - pw + j*dw], zero outside
     * the input; col has row stride {@code ld}.
     */
    static void im2col(DType d, MemorySegment x, long xOff, Geom g, MemorySegment col, long colOff, long ld) {
        int esz = d.byteSize();
        long plane = (long) g.h * g.w;
        if (g.sh == 1 && g.sw == 1 && g.ow == g.w) {
            int khw = g.kh * g.kw;
            CpuParallel.forRange(g.rows(), Math.max(1, 4096 / Math.max(1, g.cols())), (s, e) -> {
                for (int r = (int) s; r < e; r++) {
                    int c = r / khw, i = (r / g.kw) % g.kh, j = r % g.kw;
                    int dj = j * g.dw - g.pw;
                    int lo = Math.max(0, -dj), hi = Math.max(lo, Math.min(g.ow, g.w - dj));
                    sameRow(esz, x, xOff + c * plane, g, i * g.dh - g.ph, dj, lo, hi, col, r * ld + colOff);
                }
            });
            return;
        }
        // any other geometry, a (channel, kernel row) pair at a time: each input row is copied once
        // into a zero-padded heap row, from which the kw output rows are gathered, so that strides
        // and padding cost no single-element segment accesses (several nanoseconds each)
        int padded = g.w + 2 * g.pw;
        CpuParallel.forRange((long) g.c * g.kh, Math.max(1, 4096 / Math.max(1, (long) g.kw * g.cols())), (s, e) -> {
            int[] row4 = esz == 4 ? new int[padded + g.ow] : null;
            long[] row8 = esz == 8 ? new long[padded + g.ow] : null;
            int out = padded;
            for (int ci = (int) s; ci < e; ci++) {
                int c = ci / g.kh, i = ci % g.kh;
                long r0 = (long) ci * g.kw;
                for (int oh = 0; oh < g.oh; oh++) {
                    int ih = oh * g.sh - g.ph + i * g.dh;
                    long dst = r0 * ld + colOff + (long) oh * g.ow;
                    if (ih < 0 || ih >= g.h) {
                        for (int j = 0; j < g.kw; j++) col.asSlice((dst + j * ld) * esz, (long) g.ow * esz).fill((byte) 0);
                        continue;
                    }
                    long src = (xOff + c * plane + (long) ih * g.w) * esz;
                    if (esz == 4) {
                        MemorySegment.copy(x, ValueLayout.JAVA_INT_UNALIGNED, src, row4, g.pw, g.w);
                        for (int j = 0; j < g.kw; j++) {
                            int base = j * g.dw;
                            for (int k = 0; k < g.ow; k++) row4[out + k] = row4[base + k * g.sw];
                            MemorySegment.copy(row4, out, col, ValueLayout.JAVA_INT_UNALIGNED, (dst + j * ld) * 4, g.ow);
                        }
                    } else {
                        MemorySegment.copy(x, ValueLayout.JAVA_LONG_UNALIGNED, src, row8, g.pw, g.w);
                        for (int j = 0; j < g.kw; j++) {
                            int base = j * g.dw;
                            for (int k = 0; k < g.ow; k++) row8[out + k] = row8[base + k * g.sw];
                            MemorySegment.copy(row8, out, col, ValueLayout.JAVA_LONG_UNALIGNED, (dst + j * ld) * 8, g.ow);
                        }
                    }
                }
            }
        });
    }

    /**
     * One im2col row of a stride-1 convolution whose output rows are as wide as the input's
     * ("same" padding): output row oh reads input row oh + di shifted by dj, so all the rows that
     * lie inside the input come from one contiguous span of the plane, and one bulk copy fills
     * them; the few columns that wrapped into a neighbouring row, or lie past the plane's ends,
     * are zeroed afterwards.
     */
    private static void sameRow(int esz, MemorySegment x, long plane, Geom g, int di, int dj, int lo, int hi,
                                MemorySegment col, long dst) {
        int w = g.w;
        int oh0 = Math.max(0, -di), oh1 = Math.min(g.oh, g.h - di);
        if (oh1 <= oh0) {
            col.asSlice(dst * esz, (long) g.oh * w * esz).fill((byte) 0);
            return;
        }
        // output positions [p0, p1) read input positions p + shift, clipped to the plane
        long shift = (long) di * w + dj;
        long p0 = Math.max((long) oh0 * w, -shift), p1 = Math.min((long) oh1 * w, (long) g.h * w - shift);
        if (oh0 > 0) col.asSlice(dst * esz, (long) oh0 * w * esz).fill((byte) 0);
        if (oh1 < g.oh) col.asSlice((dst + (long) oh1 * w) * esz, (long) (g.oh - oh1) * w * esz).fill((byte) 0);
        MemorySegment.copy(x, (plane + p0 + shift) * esz, col, (dst + p0) * esz, (p1 - p0) * esz);
        for (int oh = oh0; oh < oh1; oh++) {
            long row = dst + (long) oh * w;
            zero(esz, col, row, lo);
            zero(esz, col, row + hi, w - hi);
        }
    }

    private static void zero(int esz, MemorySegment s, long at, int count) {
        if (count > 4) {
            s.asSlice(at * esz, (long) count * esz).fill((byte) 0);
        } else if (esz == 4) {
            for (int k = 0; k < count; k++) s.set(ValueLayout.JAVA_INT_UNALIGNED, (at + k) * 4, 0);
        } else {
            for (int k = 0; k < count; k++) s.set(ValueLayout.JAVA_LONG_UNALIGNED, (at + k) * 8, 0L);
        }
    }

    /**
     * The adjoint of im2col: y[c, ih, iw] += col[(c, i, j), colOff + (oh, ow)], col with row stride
     * {@code ld}; one thread per channel so writes never race.
     */
    static void col2im(DType d, MemorySegment col, long colOff, long ld, Geom g, MemorySegment y, long yOff) {
        int esz = d.byteSize();
        CpuParallel.forRange(g.c, 1, (s, e) -> {
            for (int c = (int) s; c < e; c++) {
                for (int i = 0; i < g.kh; i++) {
                    for (int j = 0; j < g.kw; j++) {
                        int r = (c * g.kh + i) * g.kw + j;
                        int dj = j * g.dw - g.pw;
                        int lo = Math.max(0, Math.ceilDiv(-dj, g.sw));
                        int hi = Math.min(g.ow, Math.floorDiv(g.w - 1 - dj, g.sw) + 1);
                        if (hi <= lo) continue;
                        for (int oh = 0; oh < g.oh; oh++) {
                            int ih = oh * g.sh - g.ph + i * g.dh;
                            if (ih < 0 || ih >= g.h) continue;
                            long src = r * ld + colOff + (long) oh * g.ow + lo;
                            long dst = yOff + ((long) c * g.h + ih) * g.w + dj + (long) lo * g.sw;
                            if (g.sw == 1) {
                                VecMath.addInto(d, col, src * esz, y, dst * esz, hi - lo);
                            } else {
                                VecMath.addIntoStrided(d, col, src * esz, y, dst * esz, g.sw, hi - lo);
                            }
                        }
                    }
                }
            }
        });
    }

    /** dst[r, 0:cols] = src[r, 0:cols] for r in [0, rows), each with its own row stride. */
    static void copyRows(DType d, MemorySegment src, long srcOff, long srcLd, MemorySegment dst, long dstOff, long dstLd,
                         int rows, int cols) {
        int esz = d.byteSize();
        if (srcLd == cols && dstLd == cols) {
            MemorySegment.copy(src, srcOff * esz, dst, dstOff * esz, (long) rows * cols * esz);
            return;
        }
        for (int r = 0; r < rows; r++) {
            MemorySegment.copy(src, (srcOff + r * srcLd) * esz, dst, (dstOff + r * dstLd) * esz, (long) cols * esz);
        }
    }

    private static final int TILE = 32;
    private static final ThreadLocal<int[]> TILE4 = ThreadLocal.withInitial(() -> new int[TILE * TILE + TILE]);
    private static final ThreadLocal<long[]> TILE8 = ThreadLocal.withInitial(() -> new long[TILE * TILE + TILE]);

    /**
     * dst[c, r] = src[r, c] for an rows x cols matrix, both row-major with the given row strides.
     * Square tiles go through a heap buffer with bulk copies at both ends, since single-element
     * segment accesses cost several nanoseconds each.
     */
    static void transpose(DType d, MemorySegment src, long srcOff, long srcLd, MemorySegment dst, long dstOff, long dstLd,
                          int rows, int cols) {
        for (int r0 = 0; r0 < rows; r0 += TILE) {
            int th = Math.min(TILE, rows - r0);
            for (int c0 = 0; c0 < cols; c0 += TILE) {
                int tw = Math.min(TILE, cols - c0);
                long s = srcOff + r0 * srcLd + c0, t = dstOff + c0 * dstLd + r0;
                if (d.byteSize() == 4) transposeTile4(src, s, srcLd, dst, t, dstLd, th, tw);
                else transposeTile8(src, s, srcLd, dst, t, dstLd, th, tw);
            }
        }
    }

    private static void transposeTile4(MemorySegment src, long srcOff, long srcLd, MemorySegment dst, long dstOff, long dstLd,
                                       int th, int tw) {
        int[] buf = TILE4.get();
        ValueLayout.OfInt e = ValueLayout.JAVA_INT_UNALIGNED;
        for (int r = 0; r < th; r++) MemorySegment.copy(src, e, (srcOff + r * srcLd) * 4, buf, r * TILE, tw);
        int row = TILE * TILE;
        for (int c = 0; c < tw; c++) {
            for (int r = 0; r < th; r++) buf[row + r] = buf[r * TILE + c];
            MemorySegment.copy(buf, row, dst, e, (dstOff + c * dstLd) * 4, th);
        }
    }

    private static void transposeTile8(MemorySegment src, long srcOff, long srcLd, MemorySegment dst, long dstOff, long dstLd,
                                       int th, int tw) {
        long[] buf = TILE8.get();
        ValueLayout.OfLong e = ValueLayout.JAVA_LONG_UNALIGNED;
        for (int r = 0; r < th; r++) MemorySegment.copy(src, e, (srcOff + r * srcLd) * 8, buf, r * TILE, tw);
        int row = TILE * TILE;
        for (int c = 0; c < tw; c++) {
            for (int r = 0; r < th; r++) buf[row + r] = buf[r * TILE + c];
            MemorySegment.copy(buf, row, dst, e, (dstOff + c * dstLd) * 8, th);
        }
    }

    private static final ThreadLocal<int[][]> FLIP4 = ThreadLocal.withInitial(() -> new int[2][0]);
    private static final ThreadLocal<long[][]> FLIP8 = ThreadLocal.withInitial(() -> new long[2][0]);

    /**
     * The conv2d weight [groups * cog, cig, kh, kw] equivalent at stride 1 to the transposed
     * convolution weight w [groups * cig, cog, kh, kw]: channels swapped within each group and the
     * kernel rotated by 180 degrees. One group at a time on the heap, between bulk copies.
     */
    static void flipKernel(DType d, MemorySegment w, long wOff, int groups, int cig, int cog, int khw, MemorySegment dst) {
        int size = cig * cog * khw, rowLen = cig * khw;
        boolean f4 = d.byteSize() == 4;
        int[][] b4 = f4 ? FLIP4.get() : null;
        long[][] b8 = f4 ? null : FLIP8.get();
        if (f4 && b4[0].length < size) { b4[0] = new int[size]; b4[1] = new int[rowLen]; }
        if (!f4 && b8[0].length < size) { b8[0] = new long[size]; b8[1] = new long[rowLen]; }
        if (f4 && b4[1].length < rowLen) b4[1] = new int[rowLen];
        if (!f4 && b8[1].length < rowLen) b8[1] = new long[rowLen];
        for (int gi = 0; gi < groups; gi++) {
            long src = wOff + (long) gi * size;
            if (f4) MemorySegment.copy(w, ValueLayout.JAVA_INT_UNALIGNED, src * 4, b4[0], 0, size);
            else MemorySegment.copy(w, ValueLayout.JAVA_LONG_UNALIGNED, src * 8, b8[0], 0, size);
            for (int co = 0; co < cog; co++) {
                // dst[co, ci, k] = w[ci, co, khw - 1 - k]
                for (int ci = 0; ci < cig; ci++) {
                    int from = (ci * cog + co) * khw + khw - 1, to = ci * khw;
                    if (f4) for (int k = 0; k < khw; k++) b4[1][to + k] = b4[0][from - k];
                    else for (int k = 0; k < khw; k++) b8[1][to + k] = b8[0][from - k];
                }
                long at = (long) gi * size + (long) co * rowLen;
                if (f4) MemorySegment.copy(b4[1], 0, dst, ValueLayout.JAVA_INT_UNALIGNED, at * 4, rowLen);
                else MemorySegment.copy(b8[1], 0, dst, ValueLayout.JAVA_LONG_UNALIGNED, at * 8, rowLen);
            }
        }
    }

    /** y[o, 0:plane] += b[o] for o in [0, channels); y has row stride {@code plane}. */
    static void addBias(DType d, MemorySegment y, long yOff, MemorySegment b, long bOff, int channels, int plane) {
        int esz = d.byteSize();
        for (int o = 0; o < channels; o++) {
            double v = d == DType.F32 ? b.get(ValueLayout.JAVA_FLOAT, (bOff + o) * 4) : b.get(ValueLayout.JAVA_DOUBLE, (bOff + o) * 8);
            VecMath.addScalar(d, y, (yOff + (long) o * plane) * esz, v, plane);
        }
    }
}
