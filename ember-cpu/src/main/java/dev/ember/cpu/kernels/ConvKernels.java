package dev.ember.cpu.kernels;

import dev.ember.core.DType;
import dev.ember.core.Tensor;
import dev.ember.core.backend.KernelTable;
import dev.ember.core.ops.ConvOps;
import dev.ember.core.ops.ConvOps.Conv2dAttrs;
import dev.ember.core.ops.ConvOps.ConvTranspose2dAttrs;
import dev.ember.core.ops.ConvOps.WeightGradAttrs;
import dev.ember.cpu.ChunkOrder;
import dev.ember.cpu.CpuParallel;
import dev.ember.cpu.kernels.ConvLayout.Geom;

import java.lang.foreign.MemorySegment;
import java.util.EnumSet;
import java.util.Set;
import java.util.function.IntConsumer;

import static dev.ember.cpu.kernels.ConvLayout.ACC;
import static dev.ember.cpu.kernels.ConvLayout.COL;
import static dev.ember.cpu.kernels.ConvLayout.OUT;
import static dev.ember.cpu.kernels.ConvLayout.TMP;
import static dev.ember.cpu.kernels.ConvLayout.WEIGHT;
import static dev.ember.cpu.kernels.ConvLayout.scratch;

/**
 * Convolution kernels by im2col / col2im around the blocked {@link Gemm}. Per group and block of
 * images, conv2d is {@code W [O, C*kh*kw] @ col [C*kh*kw, images*Ho*Wo]} (in f32, with a kernel
 * above 1x1, col is not stored: {@link Im2colPacker} packs it straight into the GEMM's operand,
 * here and in the weight gradient; see {@link #implicitIm2col}); the transposed
 * convolution is {@code col = W^T @ x} scattered back by col2im, or at stride 1 with many channels
 * a conv2d with the flipped kernel; the weight gradient is {@code gw += gy @ col^T} or
 * {@code gw^T += col @ gy^T} (whichever packs less from a transposed layout), summed over images.
 *
 * <p>Why images are blocked: a GEMM per image of a late ResNet layer has N = 7x7 = 49 columns, so
 * the weights (M x K, up to 512 x 4608) are packed again for every 49 columns and the last 16-wide
 * tile is mostly padding. A {@link Plan} puts enough images side by side in one col matrix that
 * each GEMM gets about {@link #TARGET_COLS} columns. Threads take whole images when every
 * thread still gets that many columns; otherwise the images run in sequence and each GEMM splits
 * itself over the pool.
 */
final class ConvKernels {

    private static final Set<DType> FLOATS = EnumSet.of(DType.F32, DType.F64);

    /**
     * Columns one GEMM should get (N of the forward and transposed GEMMs, K of the weight
     * gradient's), and the plane size below which images are blocked to reach it. Measured on
     * the ResNet-18 shapes (single thread, best of 5): at 7x7 and 14x14 planes 1024 columns beat
     * 512 by 1.1-1.35x; at 28x28 (784 columns) blocking two images did not pay.
     */
    static final int TARGET_COLS = 1024, BLOCK_BELOW = 512;
    /**
     * Output channels per group from which a stride-1 transposed convolution runs as a flipped
     * conv2d: in f32, whose conv2d packs its im2col without storing it, and in f64, which stores it.
     */
    private static final int FLIP_MIN_CHANNELS_F32 = 16, FLIP_MIN_CHANNELS_F64 = 128;
    /** The most elements one thread's col buffer may hold when blocking images (32 MiB of f32). */
    private static final long MAX_COL = 1L << 23;

    private ConvKernels() {}

    static void register(KernelTable t) {
        t.register(ConvOps.CONV2D, FLOATS, (out, in, a) -> conv2d(out[0], in[0], in[1], in.length > 2 ? in[2] : null, a));
        t.register(ConvOps.CONV_TRANSPOSE2D, FLOATS, (out, in, a) -> convTranspose2d(out[0], in[0], in[1], in.length > 2 ? in[2] : null, a));
        t.register(ConvOps.CONV2D_WEIGHT_GRAD, FLOATS, (out, in, a) -> weightGrad(out[0], in[0], in[1], a));
    }

    /**
     * How a batch of n images is cut: {@code perGemm} images side by side in one GEMM, and whether
     * each thread takes a contiguous share of the images (its GEMMs serial) or the image blocks run
     * in sequence with each GEMM parallel.
     */
    record Plan(int perGemm, boolean perThread) {

        static Plan of(int n, int cols, long rows) {
            int threads = CpuParallel.threads();
            boolean perThread = threads > 1 && n >= threads && (long) Math.ceilDiv(n, threads) * cols >= TARGET_COLS;
            int span = perThread ? Math.ceilDiv(n, threads) : n;
            long cap = Math.max(1, MAX_COL / Math.max(1, rows * cols));
            int nb = cols >= BLOCK_BELOW ? 1 : (int) Math.max(1, Math.min(Math.min(span, Math.ceilDiv(TARGET_COLS, cols)), cap));
            // even blocks: 20 images at up to 6 per GEMM run as 5, 5, 5, 5 rather than 6, 6, 6, 2
            nb = Math.ceilDiv(span, Math.ceilDiv(span, nb));
            return new Plan(nb, perThread);
        }

        /** Runs {@code chunk} over each thread's share of [0, n), or once over all of it. */
        void chunks(int n, CpuParallel.Range chunk) {
            if (perThread) CpuParallel.forRange(n, 1, chunk);
            else chunk.run(0, n);
        }

        /** Whether the GEMMs may split themselves over the pool. */
        boolean parallelGemm() { return !perThread; }
    }

    private static void conv2d(Tensor y, Tensor x, Tensor w, Tensor b, Conv2dAttrs a) {
        int[] xs = x.shape(), ws = w.shape(), ys = y.shape();
        int groups = a.groups();
        Geom g = new Geom(xs[1] / groups, xs[2], xs[3], ws[2], ws[3], ys[2], ys[3],
                a.stride()[0], a.stride()[1], a.padding()[0], a.padding()[1], a.dilation()[0], a.dilation()[1]);
        forward(y.dtype(), xs[0], groups, ys[1], g, x.segment(), x.offset(), w.segment(), w.offset(),
                b == null ? null : b.segment(), b == null ? 0 : b.offset(), y.segment(), y.offset());
    }

    /**
     * y [n, yc, oh, ow] = conv(x [n, groups * g.c, h, w], weights [yc, g.c, kh, kw]) + bias,
     * all contiguous at the given element offsets; bias may be null.
     */
    private static void forward(DType d, int n, int groups, int yc, Geom g, MemorySegment xm, long xBase,
                                MemorySegment wm, long wBase, MemorySegment bm, long bBase, MemorySegment ym, long yBase) {
        if (WinogradConv.applies(d, n, groups, yc, g)) {
            WinogradConv.forward(n, yc, g, xm, xBase, wm, wBase, bm, bBase, ym, yBase);
            return;
        }
        int cg = g.c(), og = yc / groups;
        int rows = g.rows(), cols = g.cols();
        long inPlane = (long) g.h() * g.w(), xImg = groups * cg * inPlane, yImg = (long) yc * cols;
        Plan p = Plan.of(n, cols, rows);
        boolean par = p.parallelGemm();
        p.chunks(n, (s, e) -> {
            for (int i0 = (int) s; i0 < e; i0 += p.perGemm()) {
                int nb = (int) Math.min(e - i0, p.perGemm());
                long ld = (long) nb * cols;
                boolean direct = nb == 1 && g.identity();
                boolean implicit = implicitIm2col(d, g);
                Im2colPacker.Stage stage = implicit
                        ? Im2colPacker.stage(xm, xBase + i0 * xImg, xImg, nb, groups * cg, g, par) : null;
                MemorySegment col = direct || implicit ? xm : scratch(COL, d, rows * ld);
                MemorySegment out = nb == 1 ? ym : scratch(OUT, d, og * ld);
                for (int gi = 0; gi < groups; gi++) {
                    long colOff = xBase + i0 * xImg + gi * cg * inPlane;
                    if (implicit) {
                        GemmF32.gemm(og, (int) ld, rows, wm, wBase + (long) gi * og * rows, rows, 1, stage.packer(gi),
                                out, nb == 1 ? yBase + i0 * yImg + (long) gi * og * cols : 0, ld, false, par);
                    } else if (!direct) {
                        long xg = xBase + i0 * xImg + gi * cg * inPlane;
                        eachImage(nb, par, j -> {
                            long xo = xg + j * xImg;
                            if (g.identity()) ConvLayout.copyRows(d, xm, xo, cols, col, (long) j * cols, ld, cg, cols);
                            else ConvLayout.im2col(d, xm, xo, g, col, (long) j * cols, ld);
                        });
                        colOff = 0;
                    }
                    if (!implicit) {
                        long outOff = nb == 1 ? yBase + i0 * yImg + (long) gi * og * cols : 0;
                        Gemm.gemm(d, og, (int) ld, rows, wm, wBase + (long) gi * og * rows, rows, 1, col, colOff, ld, 1,
                                out, outOff, ld, false, par);
                    }
                    long yg = yBase + i0 * yImg + (long) gi * og * cols, bg = bBase + (long) gi * og;
                    eachImage(nb, par, j -> {
                        long yo = yg + j * yImg;
                        if (nb > 1) ConvLayout.copyRows(d, out, (long) j * cols, ld, ym, yo, cols, og, cols);
                        if (bm != null) ConvLayout.addBias(d, ym, yo, bm, bg, og, cols);
                    });
                }
            }
        });
    }

    /**
     * body(j) for the images j in [0, nb) of a block: over the pool when the block's GEMM is, so
     * that the copies around it do not run on the calling thread alone.
     */
    private static void eachImage(int nb, boolean par, IntConsumer body) {
        if (par && nb > 1) {
            CpuParallel.forRange(nb, 1, (s, e) -> {
                for (int j = (int) s; j < e; j++) body.accept(j);
            });
        } else {
            for (int j = 0; j < nb; j++) body.accept(j);
        }
    }

    private static void convTranspose2d(Tensor y, Tensor x, Tensor w, Tensor b, ConvTranspose2dAttrs a) {
        DType d = y.dtype();
        int esz = d.byteSize();
        int[] xs = x.shape(), ws = w.shape(), ys = y.shape();
        int n = xs[0], groups = a.groups(), cig = xs[1] / groups, cog = ws[1];
        // the geometry of the forward convolution that this op transposes: it maps y's plane to x's
        Geom g = new Geom(cog, ys[2], ys[3], ws[2], ws[3], xs[2], xs[3],
                a.stride()[0], a.stride()[1], a.padding()[0], a.padding()[1], a.dilation()[0], a.dilation()[1]);
        int rows = g.rows(), cols = g.cols();
        int kh = ws[2], kw = ws[3];
        int[] st = a.stride(), pd = a.padding(), dl = a.dilation(), op = a.outputPadding();
        int flipFrom = d == DType.F32 ? FLIP_MIN_CHANNELS_F32 : FLIP_MIN_CHANNELS_F64;
        if (cog >= flipFrom && st[0] == 1 && st[1] == 1 && op[0] == 0 && op[1] == 0 && !g.identity()
                && pd[0] <= dl[0] * (kh - 1) && pd[1] <= dl[1] * (kw - 1)) {
            // at stride 1 the transposed convolution is a plain one over x with the kernel flipped
            // and in/out channels swapped, padded by d*(k-1) - p: its im2col is bulk copies and
            // its GEMM writes y directly, where col2im would add into y a row at a time. Its GEMM
            // has M = cog, though, and with a stored im2col, below ~128 packing the K x N operand
            // outweighs the saving (measured on ResNet-18 and U-Net shapes: 1.35x faster at 512
            // channels on 4x4, 1.3x slower at 32 channels on 128x128). Packed straight from the
            // input (f32) it is 1.1-1.4x faster than col2im from 32 and 64 channels on 26x26 to
            // 128x128 planes (CPU time, one thread)
            MemorySegment wf = scratch(WEIGHT, d, (long) ys[1] * cig * kh * kw);
            ConvLayout.flipKernel(d, w.segment(), w.offset(), groups, cig, cog, kh * kw, wf);
            Geom fg = new Geom(cig, xs[2], xs[3], kh, kw, ys[2], ys[3], 1, 1,
                    dl[0] * (kh - 1) - pd[0], dl[1] * (kw - 1) - pd[1], dl[0], dl[1]);
            forward(d, n, groups, ys[1], fg, x.segment(), x.offset(), wf, 0,
                    b == null ? null : b.segment(), b == null ? 0 : b.offset(), y.segment(), y.offset());
            return;
        }
        long xImg = (long) xs[1] * cols, yPlane = (long) ys[2] * ys[3], yImg = ys[1] * yPlane;
        MemorySegment xm = x.segment(), ym = y.segment();
        // W_g^T [rows, cig] row-major, once per call: read through strides, the GEMM would pack
        // it four elements at a time for every image
        MemorySegment wt = scratch(WEIGHT, d, (long) groups * rows * cig);
        for (int gi = 0; gi < groups; gi++) {
            ConvLayout.transpose(d, w.segment(), w.offset() + (long) gi * cig * rows, rows, wt, (long) gi * rows * cig, cig, cig, rows);
        }
        Plan p = Plan.of(n, cols, rows);
        boolean par = p.parallelGemm();
        p.chunks(n, (s, e) -> {
            for (int i0 = (int) s; i0 < e; i0 += p.perGemm()) {
                int nb = (int) Math.min(e - i0, p.perGemm());
                long ld = (long) nb * cols;
                boolean direct = nb == 1 && g.identity();
                if (!direct) ym.asSlice((y.offset() + i0 * yImg) * esz, nb * yImg * esz).fill((byte) 0);
                MemorySegment col = direct ? ym : scratch(COL, d, rows * ld);
                MemorySegment src = nb == 1 ? xm : scratch(OUT, d, cig * ld);
                for (int gi = 0; gi < groups; gi++) {
                    long srcOff = x.offset() + i0 * xImg + (long) gi * cig * cols;
                    if (nb > 1) {
                        long xg = srcOff;
                        eachImage(nb, par, j -> ConvLayout.copyRows(d, xm, xg + j * xImg, cols, src, (long) j * cols, ld, cig, cols));
                        srcOff = 0;
                    }
                    long yg = y.offset() + i0 * yImg + gi * cog * yPlane;
                    Gemm.gemm(d, rows, (int) ld, cig, wt, (long) gi * rows * cig, cig, 1, src, srcOff, ld, 1,
                            col, direct ? yg : 0, ld, false, par);
                    if (!direct) {
                        for (int j = 0; j < nb; j++) ConvLayout.col2im(d, col, (long) j * cols, ld, g, ym, yg + j * yImg);
                    }
                }
                if (b != null) {
                    long y0 = y.offset() + i0 * yImg;
                    eachImage(nb, par, j -> ConvLayout.addBias(d, ym, y0 + j * yImg, b.segment(), b.offset(), ys[1], (int) yPlane));
                }
            }
        });
    }

    private static void weightGrad(Tensor gw, Tensor x, Tensor gy, WeightGradAttrs a) {
        DType d = gw.dtype();
        int esz = d.byteSize();
        int[] xs = x.shape(), ws = a.weightShape(), gs = gy.shape();
        int n = xs[0], groups = a.groups(), cg = ws[1], og = ws[0] / groups;
        Geom g = new Geom(cg, xs[2], xs[3], ws[2], ws[3], gs[2], gs[3],
                a.stride()[0], a.stride()[1], a.padding()[0], a.padding()[1], a.dilation()[0], a.dilation()[1]);
        int rows = g.rows(), cols = g.cols();
        long xImg = (long) xs[1] * xs[2] * xs[3], gImg = (long) gs[1] * cols, inPlane = (long) g.h() * g.w();
        long total = gw.numel();
        MemorySegment xm = x.segment(), gm = gy.segment(), gwm = gw.segment();
        Plan p = Plan.of(n, cols, rows);
        boolean par = p.parallelGemm();
        long perThreadCols = (long) (p.perThread() ? Math.ceilDiv(n, CpuParallel.threads()) : n) * cols;
        boolean swapped = swapWeightGrad(rows, og, perThreadCols);
        // each thread sums its share of the images on its own, and the shares go into gw in image
        // order rather than as threads finish: in float, (a + b) + c is not (a + c) + b
        ChunkOrder order = new ChunkOrder();
        gwm.asSlice(gw.offset() * esz, total * esz).fill((byte) 0);
        p.chunks(n, order.guard((s, e) -> {
            // straight into gw when one chunk holds every image and gw's layout is the GEMM's
            boolean into = !p.perThread() && !swapped;
            MemorySegment acc = into ? gwm : scratch(ACC, d, total);
            long accOff = into ? gw.offset() : 0;
            if (!into) acc.asSlice(0, total * esz).fill((byte) 0);
            for (int i0 = (int) s; i0 < e; i0 += p.perGemm()) {
                int nb = (int) Math.min(e - i0, p.perGemm());
                long ld = (long) nb * cols;
                boolean direct = nb == 1 && g.identity();
                boolean implicit = implicitIm2col(d, g);
                Im2colPacker.Stage stage = implicit
                        ? Im2colPacker.stage(xm, x.offset() + i0 * xImg, xImg, nb, groups * cg, g, par) : null;
                MemorySegment col = direct || implicit ? xm : scratch(COL, d, rows * ld);
                MemorySegment gyb = nb == 1 ? gm : scratch(OUT, d, gs[1] * ld);
                long gyOff = gy.offset() + i0 * gImg;
                if (nb > 1) {
                    long g0 = gyOff;
                    eachImage(nb, par, j -> ConvLayout.copyRows(d, gm, g0 + j * gImg, cols, gyb, (long) j * cols, ld, gs[1], cols));
                    gyOff = 0;
                }
                for (int gi = 0; gi < groups; gi++) {
                    long colOff = x.offset() + i0 * xImg + gi * cg * inPlane;
                    long gyg = gyOff + (long) gi * og * ld;
                    if (implicit) {
                        if (swapped) {
                            GemmF32.gemm(rows, og, (int) ld, stage.rows(gi), gyb, gyg, 1, ld,
                                    acc, accOff + (long) gi * rows * og, og, true, par);
                        } else {
                            GemmF32.gemm(og, rows, (int) ld, gyb, gyg, ld, 1, stage.transposed(gi),
                                    acc, accOff + (long) gi * og * rows, rows, true, par);
                        }
                        continue;
                    }
                    if (!direct) {
                        long xg = colOff;
                        eachImage(nb, par, j -> {
                            long xo = xg + j * xImg;
                            if (g.identity()) ConvLayout.copyRows(d, xm, xo, cols, col, (long) j * cols, ld, cg, cols);
                            else ConvLayout.im2col(d, xm, xo, g, col, (long) j * cols, ld);
                        });
                        colOff = 0;
                    }
                    if (swapped) {
                        // gw_g^T [rows, og] += col [rows, ld] @ gy_g^T [ld, og]
                        Gemm.gemm(d, rows, og, (int) ld, col, colOff, ld, 1, gyb, gyg, 1, ld,
                                acc, accOff + (long) gi * rows * og, og, true, par);
                    } else {
                        // gw_g [og, rows] += gy_g [og, ld] @ col^T [ld, rows]
                        Gemm.gemm(d, og, rows, (int) ld, gyb, gyg, ld, 1, col, colOff, 1, ld,
                                acc, accOff + (long) gi * og * rows, rows, true, par);
                    }
                }
            }
            if (into) return;
            MemorySegment sum = acc;
            if (swapped) {
                sum = scratch(TMP, d, total);
                for (int gi = 0; gi < groups; gi++) {
                    ConvLayout.transpose(d, acc, (long) gi * rows * og, og, sum, (long) gi * og * rows, rows, rows, og);
                }
            }
            MemorySegment part = sum;
            order.run(s, e, () -> VecMath.addInto(d, part, 0, gwm, gw.offset() * esz, total));
        }));
    }

    /**
     * Whether the im2col matrix is packed straight into the GEMM's operand by {@link Im2colPacker}
     * rather than stored. f64 (tests and gradient checks, not a speed path) keeps the col buffer;
     * so do 1x1 kernels, whose col is no larger than the input and whose staging would copy all of
     * a strided input to use a quarter of it, and convolutions with fewer im2col rows than a
     * sliver is wide (a one-channel input layer), where the packer's per-sliver set-up is spread
     * over too few rows to pay.
     */
    static boolean implicitIm2col(DType d, Geom g) {
        return d == DType.F32 && g.kh() * g.kw() > 1 && g.rows() >= GemmF32.NR;
    }

    /**
     * Whether the weight gradient runs as {@code gw^T = col @ gy^T} rather than
     * {@code gw = gy @ col^T}. Either way one GEMM operand must be packed from a transposed
     * layout, element by element: col (rows x K) in the plain form, gy (og x K) in the swapped
     * one, which pays instead a transpose of the rows x og result once per thread. Swap when
     * the K that one thread sums over is large against og.
     */
    static boolean swapWeightGrad(int rows, int og, long k) {
        return k >= 32L * og && rows > og;
    }
}
