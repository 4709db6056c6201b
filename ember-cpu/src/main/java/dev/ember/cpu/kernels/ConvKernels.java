package dev.ember.cpu.kernels;

import dev.ember.core.DType;
import dev.ember.core.Tensor;
import dev.ember.core.backend.KernelTable;
import dev.ember.core.ops.ConvOps;
import dev.ember.core.ops.ConvOps.Conv2dAttrs;
import dev.ember.core.ops.ConvOps.ConvTranspose2dAttrs;
import dev.ember.core.ops.ConvOps.WeightGradAttrs;
import dev.ember.cpu.CpuParallel;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.EnumSet;
import java.util.Set;

/**
 * Convolution kernels by im2col / col2im around the blocked {@link Gemm}: per image and group,
 * conv2d is {@code W [O, C*kh*kw] @ col [C*kh*kw, Ho*Wo]}, the transposed convolution is
 * {@code col = W^T @ x} scattered back by col2im, and the weight gradient is {@code gy @ col^T}.
 * Batches at least as large as the thread pool run one image per thread; smaller ones let each
 * GEMM split itself.
 */
final class ConvKernels {

    private static final Set<DType> FLOATS = EnumSet.of(DType.F32, DType.F64);

    private ConvKernels() {}

    static void register(KernelTable t) {
        t.register(ConvOps.CONV2D, FLOATS, (out, in, a) -> conv2d(out[0], in[0], in[1], in.length > 2 ? in[2] : null, a));
        t.register(ConvOps.CONV_TRANSPOSE2D, FLOATS, (out, in, a) -> convTranspose2d(out[0], in[0], in[1], in.length > 2 ? in[2] : null, a));
        t.register(ConvOps.CONV2D_WEIGHT_GRAD, FLOATS, (out, in, a) -> weightGrad(out[0], in[0], in[1], a));
    }

    /** The sizes of one convolution: input plane (c, h, w), kernel, output plane, and geometry. */
    private record Geom(int c, int h, int w, int kh, int kw, int oh, int ow,
                        int sh, int sw, int ph, int pw, int dh, int dw) {
        int rows() { return c * kh * kw; }
        int cols() { return oh * ow; }
        /** Whether col is the input itself (1x1 kernel, stride 1, no padding). */
        boolean identity() { return kh == 1 && kw == 1 && sh == 1 && sw == 1 && ph == 0 && pw == 0 && oh == h && ow == w; }
    }

    private static void conv2d(Tensor y, Tensor x, Tensor w, Tensor b, Conv2dAttrs a) {
        DType d = y.dtype();
        int[] xs = x.shape(), ws = w.shape(), ys = y.shape();
        int n = xs[0], groups = a.groups(), cg = xs[1] / groups, og = ws[0] / groups;
        Geom g = new Geom(cg, xs[2], xs[3], ws[2], ws[3], ys[2], ys[3],
                a.stride()[0], a.stride()[1], a.padding()[0], a.padding()[1], a.dilation()[0], a.dilation()[1]);
        int rows = g.rows(), cols = g.cols();
        long xImg = (long) xs[1] * xs[2] * xs[3], yImg = (long) ys[1] * cols;
        long inPlane = (long) g.h * g.w;
        perImage(n, (s, e) -> {
            MemorySegment col = g.identity() ? null : Gemm.scratch(0, d, (long) rows * cols);
            for (long i = s; i < e; i++) {
                for (int gi = 0; gi < groups; gi++) {
                    long xOff = x.offset() + i * xImg + (long) gi * cg * inPlane;
                    long yOff = y.offset() + i * yImg + (long) gi * og * cols;
                    long wOff = w.offset() + (long) gi * og * rows;
                    if (col == null) {
                        Gemm.gemm(d, og, cols, rows, w.segment(), wOff, rows, 1, x.segment(), xOff, cols, 1,
                                y.segment(), yOff, cols, false, true);
                    } else {
                        im2col(d, x.segment(), xOff, g, col);
                        Gemm.gemm(d, og, cols, rows, w.segment(), wOff, rows, 1, col, 0, cols, 1,
                                y.segment(), yOff, cols, false, true);
                    }
                }
            }
        });
        if (b != null) addBias(y, b, n, ys[1], cols);
    }

    private static void convTranspose2d(Tensor y, Tensor x, Tensor w, Tensor b, ConvTranspose2dAttrs a) {
        DType d = y.dtype();
        int[] xs = x.shape(), ws = w.shape(), ys = y.shape();
        int n = xs[0], groups = a.groups(), cig = xs[1] / groups, cog = ws[1];
        // the geometry of the forward convolution that this op transposes: it maps y's plane to x's
        Geom g = new Geom(cog, ys[2], ys[3], ws[2], ws[3], xs[2], xs[3],
                a.stride()[0], a.stride()[1], a.padding()[0], a.padding()[1], a.dilation()[0], a.dilation()[1]);
        int rows = g.rows(), cols = g.cols();
        long xImg = (long) xs[1] * cols, yImg = (long) ys[1] * ys[2] * ys[3], yPlane = (long) ys[2] * ys[3];
        y.segment().asSlice(y.offset() * d.byteSize(), y.numel() * d.byteSize()).fill((byte) 0);
        perImage(n, (s, e) -> {
            MemorySegment col = Gemm.scratch(0, d, (long) rows * cols);
            for (long i = s; i < e; i++) {
                for (int gi = 0; gi < groups; gi++) {
                    long xOff = x.offset() + i * xImg + (long) gi * cig * cols;
                    long wOff = w.offset() + (long) gi * cig * rows;
                    // col [rows, cols] = W_g^T @ x_g, with W_g [cig, rows] read transposed through strides
                    Gemm.gemm(d, rows, cols, cig, w.segment(), wOff, 1, rows, x.segment(), xOff, cols, 1,
                            col, 0, cols, false, true);
                    col2im(d, col, g, y.segment(), y.offset() + i * yImg + (long) gi * cog * yPlane);
                }
            }
        });
        if (b != null) addBias(y, b, n, ys[1], (int) yPlane);
    }

    private static void weightGrad(Tensor gw, Tensor x, Tensor gy, WeightGradAttrs a) {
        DType d = gw.dtype();
        int[] xs = x.shape(), ws = a.weightShape(), gs = gy.shape();
        int n = xs[0], groups = a.groups(), cg = ws[1], og = ws[0] / groups;
        Geom g = new Geom(cg, xs[2], xs[3], ws[2], ws[3], gs[2], gs[3],
                a.stride()[0], a.stride()[1], a.padding()[0], a.padding()[1], a.dilation()[0], a.dilation()[1]);
        int rows = g.rows(), cols = g.cols();
        long xImg = (long) xs[1] * xs[2] * xs[3], gImg = (long) gs[1] * cols, inPlane = (long) g.h * g.w;
        long total = gw.numel();
        gw.segment().asSlice(gw.offset() * d.byteSize(), total * d.byteSize()).fill((byte) 0);
        Object lock = new Object();
        perImage(n, (s, e) -> {
            // each chunk of images sums into its own buffer; the buffers are added under a lock
            boolean whole = s == 0 && e == n;
            MemorySegment acc = whole ? gw.segment() : Gemm.scratch(1, d, total);
            long accOff = whole ? gw.offset() : 0;
            if (!whole) acc.asSlice(0, total * d.byteSize()).fill((byte) 0);
            MemorySegment col = g.identity() ? null : Gemm.scratch(0, d, (long) rows * cols);
            for (long i = s; i < e; i++) {
                for (int gi = 0; gi < groups; gi++) {
                    long xOff = x.offset() + i * xImg + (long) gi * cg * inPlane;
                    long gOff = gy.offset() + i * gImg + (long) gi * og * cols;
                    MemorySegment src = x.segment();
                    long srcOff = xOff;
                    if (col != null) {
                        im2col(d, x.segment(), xOff, g, col);
                        src = col;
                        srcOff = 0;
                    }
                    // gw_g [og, rows] += gy_g [og, cols] @ col^T [cols, rows]
                    Gemm.gemm(d, og, rows, cols, gy.segment(), gOff, cols, 1, src, srcOff, 1, cols,
                            acc, accOff + (long) gi * og * rows, rows, true, true);
                }
            }
            if (!whole) {
                synchronized (lock) { addInto(d, acc, gw.segment(), gw.offset(), total); }
            }
        });
    }

    private static void perImage(int n, CpuParallel.Range body) {
        if (n >= CpuParallel.threads() && n > 1) CpuParallel.forRange(n, 1, body);
        else body.run(0, n);
    }

    /** col[(c, i, j), (oh, ow)] = x[c, oh*sh - ph + i*dh, ow*sw - pw + j*dw], zero outside the input. */
    static void im2col(DType d, MemorySegment x, long xOff, Geom g, MemorySegment col) {
        int esz = d.byteSize();
        int khw = g.kh * g.kw;
        CpuParallel.forRange(g.rows(), Math.max(1, 4096 / Math.max(1, g.cols())), (s, e) -> {
            for (int r = (int) s; r < e; r++) {
                int c = r / khw, i = (r / g.kw) % g.kh, j = r % g.kw;
                int dj = j * g.dw - g.pw;
                // the output columns whose input column lies inside the row
                int lo = Math.max(0, Math.ceilDiv(-dj, g.sw));
                int hi = Math.min(g.ow, Math.floorDiv(g.w - 1 - dj, g.sw) + 1);
                if (hi < lo) hi = lo;
                for (int oh = 0; oh < g.oh; oh++) {
                    int ih = oh * g.sh - g.ph + i * g.dh;
                    long dst = ((long) r * g.oh + oh) * g.ow;
                    if (ih < 0 || ih >= g.h) {
                        col.asSlice(dst * esz, (long) g.ow * esz).fill((byte) 0);
                        continue;
                    }
                    long src = xOff + ((long) c * g.h + ih) * g.w;
                    if (lo > 0) col.asSlice(dst * esz, (long) lo * esz).fill((byte) 0);
                    if (hi < g.ow) col.asSlice((dst + hi) * esz, (long) (g.ow - hi) * esz).fill((byte) 0);
                    if (g.sw == 1) {
                        MemorySegment.copy(x, (src + lo + dj) * esz, col, (dst + lo) * esz, (long) (hi - lo) * esz);
                    } else if (esz == 4) {
                        for (int ow = lo; ow < hi; ow++) {
                            col.set(ValueLayout.JAVA_INT, (dst + ow) * 4, x.get(ValueLayout.JAVA_INT, (src + (long) ow * g.sw + dj) * 4));
                        }
                    } else {
                        for (int ow = lo; ow < hi; ow++) {
                            col.set(ValueLayout.JAVA_LONG, (dst + ow) * 8, x.get(ValueLayout.JAVA_LONG, (src + (long) ow * g.sw + dj) * 8));
                        }
                    }
                }
            }
        });
    }

    /** The adjoint of im2col: y[c, ih, iw] += col[(c, i, j), (oh, ow)]; one thread per channel so writes never race. */
    static void col2im(DType d, MemorySegment col, Geom g, MemorySegment y, long yOff) {
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
                            long src = ((long) r * g.oh + oh) * g.ow + lo;
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

    /** y[n, o, :] += b[o] over planes of {@code plane} elements. */
    private static void addBias(Tensor y, Tensor b, int n, int channels, int plane) {
        DType d = y.dtype();
        int esz = d.byteSize();
        MemorySegment ys = y.segment(), bs = b.segment();
        CpuParallel.forRange((long) n * channels, Math.max(1, 16384 / Math.max(1, plane)), (s, e) -> {
            for (long p = s; p < e; p++) {
                long bi = b.offset() + p % channels;
                double v = d == DType.F32 ? bs.get(ValueLayout.JAVA_FLOAT, bi * 4) : bs.get(ValueLayout.JAVA_DOUBLE, bi * 8);
                VecMath.addScalar(d, ys, (y.offset() + p * plane) * esz, v, plane);
            }
        });
    }

    private static void addInto(DType d, MemorySegment src, MemorySegment dst, long dstOff, long count) {
        VecMath.addInto(d, src, 0, dst, dstOff * d.byteSize(), count);
    }
}
