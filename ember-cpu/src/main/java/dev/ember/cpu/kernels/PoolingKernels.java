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

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

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
    private static final VectorSpecies<Float> FS = FloatVector.SPECIES_PREFERRED;
    private static final int FL = FS.length();
    /** Lanes 0, 2, 4, ... and 1, 3, 5, ... of two vectors side by side: a stride-2 row's two column phases. */
    private static final VectorShuffle<Float> EVEN_LANES = VectorShuffle.fromOp(FS, i -> 2 * i < FL ? 2 * i : 2 * i - 2 * FL);
    private static final VectorShuffle<Float> ODD_LANES = VectorShuffle.fromOp(FS, i -> 2 * i + 1 < FL ? 2 * i + 1 : 2 * i + 1 - 2 * FL);

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
        if (f32 && (long) h * w < 1 << 24) {
            // a plane at a time through heap arrays: bulk copies in and out, and an inner loop
            // without the per-element segment bounds and liveness checks (indices are carried as
            // floats there, exact below 2^24 elements a plane; larger planes take the loop below)
            CpuParallel.forRange(planes, grain((long) oh * ow * kh * kw), (s, e) -> {
                float[] in = new float[h * w], out = new float[oh * ow];
                long[] at = new long[oh * ow];
                float[][] phases = {new float[0]};
                for (long p = s; p < e; p++) {
                    long xo = x.offset() + p * h * w, yo = y.offset() + p * oh * ow, io = idx.offset() + p * oh * ow;
                    MemorySegment.copy(xs, ValueLayout.JAVA_FLOAT, xo * 4, in, 0, in.length);
                    maxWindowsF32(in, out, at, phases, h, w, oh, ow, kh, kw, sh, sw, ph, pw, dh, dw);
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

    /**
     * Any window, vectorised across a row of outputs. The plane is first split into its sw
     * column phases, each row of phase q holding columns q, q + sw, q + 2 sw, ... between margins
     * of {@code -inf} that stand for the padding; then tap (ky, kx) of the window, for L
     * consecutive outputs of a row, is one contiguous vector load, compared and blended into the
     * running maxima and their indices. The scalar loops this replaced branched on every
     * comparison (C2 kept branches even for a chain of ternaries), and on real activations which
     * tap wins is a coin toss. Measured per output on one core, a 112x112 plane: ResNet-18's 3x3
     * stride-2 window 49 ns before, 7.6-9 ns here; 2x2 stride 2 (the former select chain) about
     * 22 ns before, 7.6 ns here. Taps are visited in the scalar order
     * (rows, then columns) with its rule, strictly greater or NaN, so on ties and NaNs the same
     * index wins, as in PyTorch. {@code scratch[0]} is the phase buffer, kept across the planes of
     * a chunk (grown on demand; every element is rewritten for each plane).
     */
    private static void maxWindowsF32(float[] in, float[] out, long[] at, float[][] scratch, int h, int w, int oh, int ow,
                                      int kh, int kw, int sh, int sw, int ph, int pw, int dh, int dw) {
        int owp = (ow + FL - 1) / FL * FL;
        // phase rows hold m in [-margin, owp + reach): the window's columns j * sw + c0 for every
        // output j < owp and tap offset c0 = kx * dw - pw
        int margin = Math.max(0, -Math.floorDiv(-pw, sw)), reach = Math.max(0, Math.floorDiv((kw - 1) * dw - pw, sw));
        int pl = margin + owp + reach;
        if (scratch[0].length < h * sw * pl) scratch[0] = new float[h * sw * pl];
        float[] phases = scratch[0];
        splitPhases(in, h, w, sw, margin, pl, phases);
        int[] tapRow = new int[kh * kw];
        float[] tapBase = new float[kh * kw], first = new float[owp], best = new float[owp], bestAt = new float[owp];
        // the first valid column of each window, the same for every row of outputs
        int[] firstCol = new int[ow];
        for (int j = 0; j < ow; j++) {
            int w0 = j * sw - pw;
            while (w0 < 0) w0 += dw;
            firstCol[j] = w0;
        }
        for (int i = 0; i < oh; i++) {
            int h0 = i * sh - ph, nt = 0;
            int hFirst = h0;
            while (hFirst < 0) hFirst += dh;
            for (int ky = 0; ky < kh; ky++) {
                int ih = h0 + ky * dh;
                if (ih < 0 || ih >= h) continue;
                for (int kx = 0; kx < kw; kx++) {
                    int c0 = kx * dw - pw;
                    tapRow[nt] = (ih * sw + Math.floorMod(c0, sw)) * pl + margin + Math.floorDiv(c0, sw);
                    tapBase[nt++] = ih * w + c0;
                }
            }
            for (int j = 0; j < ow; j++) first[j] = hFirst * w + firstCol[j];
            maxRow(phases, tapRow, tapBase, nt, first, sw, owp, best, bestAt);
            System.arraycopy(best, 0, out, i * ow, ow);
            for (int j = 0, o = i * ow; j < ow; j++) at[o + j] = (long) bestAt[j];
        }
    }

    /**
     * Row ih's phase q into {@code phases[(ih * sw + q) * pl + margin + m] = in[ih * w + m * sw + q]},
     * {@code -inf} outside the row. At stride 2 both phases come from two vector loads and two
     * two-input shuffles per 2 L inputs (0.15-0.2 ns an element, measured standalone, against
     * 0.35-0.55 for the strided scalar copy and 0.6-0.9 for a vector gather).
     */
    private static void splitPhases(float[] in, int h, int w, int sw, int margin, int pl, float[] phases) {
        for (int ih = 0; ih < h; ih++) {
            int m2 = 0;
            if (sw == 2) {
                int d0 = 2 * ih * pl + margin, d1 = d0 + pl;
                for (int k = ih * w; m2 + FL <= pl - margin && 2 * (m2 + FL) <= w; m2 += FL, k += 2 * FL) {
                    FloatVector x = FloatVector.fromArray(FS, in, k), y = FloatVector.fromArray(FS, in, k + FL);
                    x.rearrange(EVEN_LANES, y).intoArray(phases, d0 + m2);
                    x.rearrange(ODD_LANES, y).intoArray(phases, d1 + m2);
                }
            }
            for (int q = 0; q < sw; q++) {
                int r0 = (ih * sw + q) * pl, d = r0 + margin;
                int mHi = Math.min(pl - margin, q < w ? (w - 1 - q) / sw + 1 : 0);
                for (int m = r0; m < d; m++) phases[m] = Float.NEGATIVE_INFINITY;
                if (sw == 1) {
                    System.arraycopy(in, ih * w, phases, d, mHi);
                } else {
                    for (int m = m2, k = ih * w + q + m2 * sw; m < mHi; m++, k += sw) phases[d + m] = in[k];
                }
                for (int m = d + Math.max(mHi, m2); m < r0 + pl; m++) phases[m] = Float.NEGATIVE_INFINITY;
            }
        }
    }

    /**
     * One row of outputs: for every L outputs, the running maximum and its index over the nt
     * taps, a tap being a contiguous run of a phase row. Indices are carried as floats (exact
     * below 2^24, which the caller checks) so that values and indices blend under one mask.
     */
    private static void maxRow(float[] phases, int[] tapRow, float[] tapBase, int nt, float[] first, int sw, int owp,
                               float[] best, float[] bestAt) {
        FloatVector lane = FloatVector.zero(FS).addIndex(sw);
        for (int j = 0; j < owp; j += FL) {
            FloatVector m = FloatVector.broadcast(FS, Float.NEGATIVE_INFINITY);
            FloatVector idx = FloatVector.fromArray(FS, first, j);
            FloatVector col = lane.add((float) (j * sw));
            for (int t = 0; t < nt; t++) {
                FloatVector v = FloatVector.fromArray(FS, phases, tapRow[t] + j);
                VectorMask<Float> take = v.compare(VectorOperators.GT, m).or(v.compare(VectorOperators.NE, v));
                m = m.blend(v, take);
                idx = idx.blend(col.add(tapBase[t]), take);
            }
            m.intoArray(best, j);
            idx.intoArray(bestAt, j);
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
