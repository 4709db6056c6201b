package dev.ember.cpu.kernels;

import dev.ember.core.DType;
import dev.ember.core.Tensor;
import dev.ember.core.backend.KernelTable;
import dev.ember.core.ops.PoolingOps;
import dev.ember.core.ops.PoolingOps.AxisWeights;
import dev.ember.core.ops.PoolingOps.MaxPool2dAttrs;
import dev.ember.core.ops.PoolingOps.Resample2d;
import dev.ember.core.ops.PoolingOps.ResampleAdjointOp;
import dev.ember.core.ops.PoolingOps.ResampleOp;
import dev.ember.cpu.CpuParallel;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.EnumSet;
import java.util.Set;

/**
 * Pooling and resizing kernels, one (N, C) plane per task. The separable ops share one kernel
 * driven by the core's per-axis weights: rows first into a scratch of outH x W, then columns.
 */
final class PoolingKernels {

    private static final Set<DType> FLOATS = EnumSet.of(DType.F32, DType.F64);

    private PoolingKernels() {}

    static void register(KernelTable t) {
        for (ResampleOp op : new ResampleOp[] {PoolingOps.AVG_POOL2D, PoolingOps.ADAPTIVE_AVG_POOL2D,
                PoolingOps.UPSAMPLE_NEAREST2D, PoolingOps.UPSAMPLE_BILINEAR2D}) {
            t.register(op, FLOATS, (out, in, r) -> resample(out[0], in[0], r, in[0].shape(2), in[0].shape(3)));
            ResampleAdjointOp adj = op.adjoint();
            t.register(adj, FLOATS, (out, in, a) -> resampleAdjoint(out[0], in[0], a.forward(), a.inputShape()[2], a.inputShape()[3]));
        }
        t.register(PoolingOps.MAX_POOL2D, FLOATS, (out, in, a) -> maxPool(out[0], out[1], in[0], a));
        t.register(PoolingOps.MAX_POOL2D_BACKWARD, FLOATS, (out, in, shape) -> scatter(out[0], in[0], in[1]));
        t.register(PoolingOps.MAX_POOL2D_GATHER, FLOATS, (out, in, a) -> gather(out[0], in[0], in[1]));
    }

    private static double get(MemorySegment s, boolean f32, long i) {
        return f32 ? s.get(ValueLayout.JAVA_FLOAT, i * 4) : s.get(ValueLayout.JAVA_DOUBLE, i * 8);
    }

    private static void set(MemorySegment s, boolean f32, long i, double v) {
        if (f32) s.set(ValueLayout.JAVA_FLOAT, i * 4, (float) v);
        else s.set(ValueLayout.JAVA_DOUBLE, i * 8, v);
    }

    /**
     * Plane {@code n} elements at element offset {@code off} into {@code dst} as doubles: one bulk
     * copy (through {@code tmp} for f32) rather than a segment access per element, which cost
     * several nanoseconds each and dominated the resampling kernels.
     */
    private static void readPlane(MemorySegment s, boolean f32, long off, double[] dst, float[] tmp, int n) {
        if (f32) {
            MemorySegment.copy(s, ValueLayout.JAVA_FLOAT, off * 4, tmp, 0, n);
            for (int i = 0; i < n; i++) dst[i] = tmp[i];
        } else {
            MemorySegment.copy(s, ValueLayout.JAVA_DOUBLE, off * 8, dst, 0, n);
        }
    }

    /** The inverse of {@link #readPlane}. */
    private static void writePlane(double[] src, float[] tmp, int n, MemorySegment s, boolean f32, long off) {
        if (f32) {
            for (int i = 0; i < n; i++) tmp[i] = (float) src[i];
            MemorySegment.copy(tmp, 0, s, ValueLayout.JAVA_FLOAT, off * 4, n);
        } else {
            MemorySegment.copy(src, 0, s, ValueLayout.JAVA_DOUBLE, off * 8, n);
        }
    }

    private static long grain(long planeWork) { return Math.max(1, 32768 / Math.max(1, planeWork)); }

    /** y[oh, ow] = sum wh * ww * x[ih, iw] per plane. */
    private static void resample(Tensor y, Tensor x, Resample2d r, int h, int w) {
        boolean f32 = y.dtype() == DType.F32;
        int oh = y.shape(2), ow = y.shape(3);
        AxisWeights wh = r.weights(0, h), ww = r.weights(1, w);
        long planes = (long) y.shape(0) * y.shape(1);
        MemorySegment xs = x.segment(), ys = y.segment();
        CpuParallel.forRange(planes, grain((long) h * w + (long) oh * ow), (s, e) -> {
            double[] in = new double[h * w], rows = new double[oh * w], out = new double[oh * ow];
            float[] tmp = new float[Math.max(h * w, oh * ow)];
            for (long p = s; p < e; p++) {
                long xo = x.offset() + p * h * w, yo = y.offset() + p * oh * ow;
                readPlane(xs, f32, xo, in, tmp, in.length);
                java.util.Arrays.fill(rows, 0);
                for (int o = 0; o < oh; o++) {
                    for (int t = wh.start()[o]; t < wh.start()[o + 1]; t++) {
                        int src = wh.index()[t] * w;
                        double c = wh.weight()[t];
                        for (int j = 0; j < w; j++) rows[o * w + j] += c * in[src + j];
                    }
                }
                for (int o = 0; o < oh; o++) {
                    for (int q = 0; q < ow; q++) {
                        double acc = 0;
                        for (int t = ww.start()[q]; t < ww.start()[q + 1]; t++) acc += ww.weight()[t] * rows[o * w + ww.index()[t]];
                        out[o * ow + q] = acc;
                    }
                }
                writePlane(out, tmp, out.length, ys, f32, yo);
            }
        });
    }

    /** The transpose of {@link #resample}: gx[ih, iw] += wh * ww * g[oh, ow]. */
    private static void resampleAdjoint(Tensor gx, Tensor g, Resample2d r, int h, int w) {
        boolean f32 = gx.dtype() == DType.F32;
        int oh = g.shape(2), ow = g.shape(3);
        AxisWeights wh = r.weights(0, h), ww = r.weights(1, w);
        long planes = (long) g.shape(0) * g.shape(1);
        MemorySegment gs = g.segment(), xs = gx.segment();
        CpuParallel.forRange(planes, grain((long) h * w + (long) oh * ow), (s, e) -> {
            double[] rows = new double[oh * w], out = new double[h * w], gin = new double[oh * ow];
            float[] tmp = new float[Math.max(h * w, oh * ow)];
            for (long p = s; p < e; p++) {
                long go = g.offset() + p * oh * ow, xo = gx.offset() + p * h * w;
                readPlane(gs, f32, go, gin, tmp, gin.length);
                java.util.Arrays.fill(rows, 0);
                java.util.Arrays.fill(out, 0);
                for (int o = 0; o < oh; o++) {
                    for (int q = 0; q < ow; q++) {
                        double v = gin[o * ow + q];
                        for (int t = ww.start()[q]; t < ww.start()[q + 1]; t++) rows[o * w + ww.index()[t]] += ww.weight()[t] * v;
                    }
                }
                for (int o = 0; o < oh; o++) {
                    for (int t = wh.start()[o]; t < wh.start()[o + 1]; t++) {
                        int dst = wh.index()[t] * w;
                        double c = wh.weight()[t];
                        for (int j = 0; j < w; j++) out[dst + j] += c * rows[o * w + j];
                    }
                }
                writePlane(out, tmp, out.length, xs, f32, xo);
            }
        });
    }

    private static void maxPool(Tensor y, Tensor idx, Tensor x, MaxPool2dAttrs a) {
        boolean f32 = y.dtype() == DType.F32;
        int h = x.shape(2), w = x.shape(3), oh = y.shape(2), ow = y.shape(3);
        int kh = a.kernel()[0], kw = a.kernel()[1], sh = a.stride()[0], sw = a.stride()[1];
        int ph = a.padding()[0], pw = a.padding()[1], dh = a.dilation()[0], dw = a.dilation()[1];
        long planes = (long) y.shape(0) * y.shape(1);
        MemorySegment xs = x.segment(), ys = y.segment(), is = idx.segment();
        if (f32) {
            // a plane at a time through heap arrays: bulk copies in and out, and an inner loop
            // without the per-element segment bounds and liveness checks
            CpuParallel.forRange(planes, grain((long) oh * ow * kh * kw), (s, e) -> {
                float[] in = new float[h * w], out = new float[oh * ow];
                long[] at = new long[oh * ow];
                for (long p = s; p < e; p++) {
                    long xo = x.offset() + p * h * w, yo = y.offset() + p * oh * ow, io = idx.offset() + p * oh * ow;
                    MemorySegment.copy(xs, ValueLayout.JAVA_FLOAT, xo * 4, in, 0, in.length);
                    maxPlaneF32(in, out, at, h, w, oh, ow, kh, kw, sh, sw, ph, pw, dh, dw);
                    MemorySegment.copy(out, 0, ys, ValueLayout.JAVA_FLOAT, yo * 4, out.length);
                    MemorySegment.copy(at, 0, is, ValueLayout.JAVA_LONG, io * 8, at.length);
                }
            });
            return;
        }
        CpuParallel.forRange(planes, grain((long) oh * ow * kh * kw), (s, e) -> {
            for (long p = s; p < e; p++) {
                long xo = x.offset() + p * h * w, yo = y.offset() + p * oh * ow, io = idx.offset() + p * oh * ow;
                for (int i = 0; i < oh; i++) {
                    int h0 = i * sh - ph, h1 = Math.min(h0 + (kh - 1) * dh + 1, h);
                    while (h0 < 0) h0 += dh;
                    for (int j = 0; j < ow; j++) {
                        int w0 = j * sw - pw, w1 = Math.min(w0 + (kw - 1) * dw + 1, w);
                        while (w0 < 0) w0 += dw;
                        long best = (long) h0 * w + w0;
                        double max = Double.NEGATIVE_INFINITY;
                        for (int ih = h0; ih < h1; ih += dh) {
                            for (int iw = w0; iw < w1; iw += dw) {
                                long at = (long) ih * w + iw;
                                double v = get(xs, f32, xo + at);
                                // as PyTorch: a NaN is taken as the maximum, and so is any later NaN
                                if (v > max || Double.isNaN(v)) {
                                    max = v;
                                    best = at;
                                }
                            }
                        }
                        long o = (long) i * ow + j;
                        set(ys, f32, yo + o, max);
                        is.set(ValueLayout.JAVA_LONG, (io + o) * 8, best);
                    }
                }
            }
        });
    }

    private static void maxPlaneF32(float[] in, float[] out, long[] at, int h, int w, int oh, int ow, int kh, int kw,
                                    int sh, int sw, int ph, int pw, int dh, int dw) {
        if (kh == 2 && kw == 2 && sh == 2 && sw == 2 && ph == 0 && pw == 0 && dh == 1 && dw == 1 && 2 * oh <= h && 2 * ow <= w) {
            max2x2F32(in, out, at, w, oh, ow);
            return;
        }
        for (int i = 0; i < oh; i++) {
            int h0 = i * sh - ph, h1 = Math.min(h0 + (kh - 1) * dh + 1, h);
            while (h0 < 0) h0 += dh;
            for (int j = 0; j < ow; j++) {
                int w0 = j * sw - pw, w1 = Math.min(w0 + (kw - 1) * dw + 1, w);
                while (w0 < 0) w0 += dw;
                int best = h0 * w + w0;
                float max = Float.NEGATIVE_INFINITY;
                for (int ih = h0; ih < h1; ih += dh) {
                    for (int k = ih * w + w0, end = ih * w + w1; k < end; k += dw) {
                        float v = in[k];
                        // as PyTorch: a NaN is taken as the maximum, and so is any later NaN
                        if (v > max || v != v) {
                            max = v;
                            best = k;
                        }
                    }
                }
                out[i * ow + j] = max;
                at[i * ow + j] = best;
            }
        }
    }

    /**
     * The common 2x2 stride-2 window without padding, as a chain of selects rather than branches:
     * on real activations which of the four wins is a coin toss, and the general loop's
     * mispredicted branches and two-trip inner loops cost 12-18 ns per output against about 6 here
     * (measured standalone on one core). Same visiting order and NaN rule as the general loop
     * (a NaN wins, and so does any later NaN), so the same index wins.
     */
    private static void max2x2F32(float[] in, float[] out, long[] at, int w, int oh, int ow) {
        for (int i = 0; i < oh; i++) {
            int row = 2 * i * w, o = i * ow;
            for (int j = 0; j < ow; j++) {
                int k = row + 2 * j;
                float a = in[k], b = in[k + 1], c = in[k + w], d = in[k + w + 1];
                boolean tb = b > a | b != b;
                float m1 = tb ? b : a;
                int i1 = tb ? k + 1 : k;
                boolean tc = c > m1 | c != c;
                float m2 = tc ? c : m1;
                int i2 = tc ? k + w : i1;
                boolean td = d > m2 | d != d;
                out[o + j] = td ? d : m2;
                at[o + j] = td ? k + w + 1 : i2;
            }
        }
    }

    /** gx[plane, idx] += g[plane, o]: one plane per task, so overlapping windows never race. */
    private static void scatter(Tensor gx, Tensor g, Tensor idx) {
        boolean f32 = gx.dtype() == DType.F32;
        long plane = (long) gx.shape(2) * gx.shape(3), oplane = (long) g.shape(2) * g.shape(3);
        long planes = (long) gx.shape(0) * gx.shape(1);
        MemorySegment xs = gx.segment(), gs = g.segment(), is = idx.segment();
        if (f32 && plane <= Integer.MAX_VALUE && oplane <= Integer.MAX_VALUE) {
            CpuParallel.forRange(planes, grain(oplane), (s, e) -> {
                float[] acc = new float[(int) plane], gv = new float[(int) oplane];
                long[] at = new long[(int) oplane];
                for (long p = s; p < e; p++) {
                    long xo = gx.offset() + p * plane, go = g.offset() + p * oplane, io = idx.offset() + p * oplane;
                    MemorySegment.copy(gs, ValueLayout.JAVA_FLOAT, go * 4, gv, 0, gv.length);
                    MemorySegment.copy(is, ValueLayout.JAVA_LONG, io * 8, at, 0, at.length);
                    java.util.Arrays.fill(acc, 0f);
                    for (int o = 0; o < gv.length; o++) acc[(int) checkIndex(at[o], plane)] += gv[o];
                    MemorySegment.copy(acc, 0, xs, ValueLayout.JAVA_FLOAT, xo * 4, acc.length);
                }
            });
            return;
        }
        gx.segment().asSlice(gx.offset() * gx.dtype().byteSize(), gx.numel() * gx.dtype().byteSize()).fill((byte) 0);
        CpuParallel.forRange(planes, grain(oplane), (s, e) -> {
            for (long p = s; p < e; p++) {
                long xo = gx.offset() + p * plane, go = g.offset() + p * oplane, io = idx.offset() + p * oplane;
                for (long o = 0; o < oplane; o++) {
                    long at = xo + checkIndex(is.get(ValueLayout.JAVA_LONG, (io + o) * 8), plane);
                    set(xs, f32, at, get(xs, f32, at) + get(gs, f32, go + o));
                }
            }
        });
    }

    private static void gather(Tensor y, Tensor x, Tensor idx) {
        boolean f32 = y.dtype() == DType.F32;
        long plane = (long) x.shape(2) * x.shape(3), oplane = (long) idx.shape(2) * idx.shape(3);
        long planes = (long) idx.shape(0) * idx.shape(1);
        MemorySegment xs = x.segment(), ys = y.segment(), is = idx.segment();
        CpuParallel.forRange(planes, grain(oplane), (s, e) -> {
            for (long p = s; p < e; p++) {
                long xo = x.offset() + p * plane, yo = y.offset() + p * oplane, io = idx.offset() + p * oplane;
                for (long o = 0; o < oplane; o++) {
                    long at = xo + checkIndex(is.get(ValueLayout.JAVA_LONG, (io + o) * 8), plane);
                    set(ys, f32, yo + o, get(xs, f32, at));
                }
            }
        });
    }

    private static long checkIndex(long i, long plane) {
        if (i < 0 || i >= plane) {
            throw new IllegalArgumentException("max_pool2d_backward: index " + i + " is outside a plane of " + plane + " elements");
        }
        return i;
    }
}
