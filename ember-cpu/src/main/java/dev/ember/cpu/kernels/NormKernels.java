package dev.ember.cpu.kernels;

import dev.ember.core.DType;
import dev.ember.core.Tensor;
import dev.ember.core.backend.KernelTable;
import dev.ember.core.ops.NormOps;
import dev.ember.core.ops.NormOps.BatchNormAttrs;
import dev.ember.core.ops.NormOps.BatchNormBackwardAttrs;
import dev.ember.core.ops.NormOps.BatchNormStatsAttrs;
import dev.ember.core.ops.NormOps.LayerNormAttrs;
import dev.ember.core.ops.NormOps.LayerNormBackwardAttrs;
import dev.ember.cpu.CpuParallel;

import java.lang.foreign.MemorySegment;
import java.util.EnumSet;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * Fused batch norm: forward (training and evaluation), its closed-form backward and the
 * running-statistics update. The input is seen as [N, C, S] (S the spatial positions) and the
 * work is split by channel: one channel's N planes are read once from memory and then, while
 * they sit in cache, again for the variance and for the output, so each kernel costs about one
 * read of its inputs and one write of its output. Per-channel sums are taken per plane in f32
 * lanes and added up in double. Layer norm works row by row the same way: a row's statistics,
 * then its output, while the row is in cache.
 */
final class NormKernels {

    /** Elements per parallel chunk, so small tensors stay on one thread. */
    private static final long GRAIN = 32768;

    private NormKernels() {}

    static void register(KernelTable t) {
        var types = EnumSet.of(DType.F32, DType.F64);
        t.register(NormOps.BATCH_NORM, types, NormKernels::batchNorm);
        t.register(NormOps.BATCH_NORM_BACKWARD, types, NormKernels::batchNormBackward);
        t.register(NormOps.BATCH_NORM_UPDATE_STATS, types, NormKernels::updateStats);
        t.register(NormOps.LAYER_NORM, types, NormKernels::layerNorm);
        t.register(NormOps.LAYER_NORM_BACKWARD, types, NormKernels::layerNormBackward);
    }

    /** [N, C, S] of a tensor with at least 2 dims. */
    private static long[] ncs(Tensor x) {
        int[] s = x.shape();
        long n = s[0], c = s[1];
        return new long[] {n, c, n * c == 0 ? 0 : x.numel() / (n * c)};
    }

    private static void batchNorm(Tensor[] out, Tensor[] in, BatchNormAttrs a) {
        Tensor x = in[0], y = out[0], meanOut = out[1], varOut = out[2];
        int k = 1;
        Tensor rm = null, rv = null, w = null, b = null;
        if (a.hasRunning()) {
            rm = in[k++];
            rv = in[k++];
        }
        if (a.hasWeight()) w = in[k++];
        if (a.hasBias()) b = in[k];
        long[] d = ncs(x);
        long n = d[0], c = d[1], s = d[2];
        boolean f32 = x.dtype() == DType.F32;
        MemorySegment xs = x.segment(), ys = y.segment();
        long xo = x.offset(), yo = y.offset();
        Tensor frm = rm, frv = rv, fw = w, fb = b;
        double count = (double) n * s;
        CpuParallel.forRange(c, Math.max(1, GRAIN / Math.max(1, n * s)), (c0, c1) -> {
            for (long ch = c0; ch < c1; ch++) {
                double mean, var;
                if (a.training()) {
                    double sum = 0;
                    for (long i = 0; i < n; i++) sum += PlaneMath.sum(xs, xo + (i * c + ch) * s, s, f32);
                    mean = sum / count;
                    double sq = 0;
                    for (long i = 0; i < n; i++) sq += PlaneMath.squaredDeviation(xs, xo + (i * c + ch) * s, s, mean, f32);
                    var = sq / count;
                } else {
                    mean = get(frm, ch);
                    var = get(frv, ch);
                }
                ElementIO.set(meanOut.segment(), meanOut.dtype(), meanOut.offset() + ch, mean);
                ElementIO.set(varOut.segment(), varOut.dtype(), varOut.offset() + ch, var);
                double invStd = 1 / Math.sqrt(var + a.eps());
                double scale = fw == null ? invStd : get(fw, ch) * invStd;
                double shift = fb == null ? 0 : get(fb, ch);
                for (long i = 0; i < n; i++) {
                    long p = (i * c + ch) * s;
                    PlaneMath.normalize(xs, xo + p, ys, yo + p, s, mean, scale, shift, f32);
                }
            }
        });
    }

    private static void batchNormBackward(Tensor[] out, Tensor[] in, BatchNormBackwardAttrs a) {
        Tensor gy = in[0], x = in[1], mean = in[2], var = in[3], w = a.hasWeight() ? in[4] : null;
        Tensor gx = out[0], gw = out[1], gb = out[2];
        long[] d = ncs(x);
        long n = d[0], c = d[1], s = d[2];
        boolean f32 = x.dtype() == DType.F32;
        MemorySegment gys = gy.segment(), xs = x.segment(), gxs = gx.segment();
        long gyo = gy.offset(), xo = x.offset(), gxo = gx.offset();
        double count = (double) n * s;
        CpuParallel.forRange(c, Math.max(1, GRAIN / Math.max(1, 2 * n * s)), (c0, c1) -> {
            double[] acc = new double[2];
            for (long ch = c0; ch < c1; ch++) {
                double mu = get(mean, ch), invStd = 1 / Math.sqrt(get(var, ch) + a.eps());
                double sumGy = 0, sumGyDev = 0;
                for (long i = 0; i < n; i++) {
                    long p = (i * c + ch) * s;
                    PlaneMath.sumAndDot(gys, gyo + p, xs, xo + p, s, mu, f32, acc);
                    sumGy += acc[0];
                    sumGyDev += acc[1];
                }
                double sumGyXhat = sumGyDev * invStd;
                ElementIO.set(gw.segment(), gw.dtype(), gw.offset() + ch, sumGyXhat);
                ElementIO.set(gb.segment(), gb.dtype(), gb.offset() + ch, sumGy);
                double scale = (w == null ? 1 : get(w, ch)) * invStd;
                // gx = scale * (gy - sumGy / M - xhat * sumGyXhat / M) = scale * gy + cb * (x - mean) + cc
                double cb = a.training() ? -scale * invStd * sumGyXhat / count : 0;
                double cc = a.training() ? -scale * sumGy / count : 0;
                for (long i = 0; i < n; i++) {
                    long p = (i * c + ch) * s;
                    PlaneMath.combine(gys, gyo + p, xs, xo + p, gxs, gxo + p, s, mu, scale, cb, cc, f32);
                }
            }
        });
    }

    private static void updateStats(Tensor[] running, Tensor[] batch, BatchNormStatsAttrs a) {
        Tensor rm = running[0], rv = running[1], bm = batch[0], bv = batch[1];
        double m = a.momentum(), unbias = (double) a.count() / (a.count() - 1);
        for (long ch = 0; ch < rm.numel(); ch++) {
            ElementIO.set(rm.segment(), rm.dtype(), rm.offset() + ch, (1 - m) * get(rm, ch) + m * get(bm, ch));
            ElementIO.set(rv.segment(), rv.dtype(), rv.offset() + ch, (1 - m) * get(rv, ch) + m * get(bv, ch) * unbias);
        }
    }

    /** Element i of a contiguous per-channel vector, in any floating dtype. */
    private static double get(Tensor t, long i) {
        return ElementIO.get(t.segment(), t.dtype(), t.offset() + i);
    }

    private static void layerNorm(Tensor[] out, Tensor[] in, LayerNormAttrs a) {
        Tensor x = in[0], y = out[0];
        int k = 1;
        Tensor w = a.hasWeight() ? in[k++] : null, b = a.hasBias() ? in[k] : null;
        long d = rowLength(a.normalizedShape()), rows = d == 0 ? 0 : x.numel() / d;
        boolean f32 = x.dtype() == DType.F32;
        MemorySegment xs = x.segment(), ys = y.segment(), ws = w == null ? null : w.segment(), bs = b == null ? null : b.segment();
        long xo = x.offset(), yo = y.offset(), wo = w == null ? 0 : w.offset(), bo = b == null ? 0 : b.offset();
        CpuParallel.forRange(rows, Math.max(1, GRAIN / d), (r0, r1) -> {
            for (long r = r0; r < r1; r++) {
                double mean = PlaneMath.sum(xs, xo + r * d, d, f32) / d;
                double rstd = 1 / Math.sqrt(PlaneMath.squaredDeviation(xs, xo + r * d, d, mean, f32) / d + a.eps());
                PlaneMath.normalizeAffine(xs, xo + r * d, ys, yo + r * d, d, mean, rstd, ws, wo, bs, bo, f32);
            }
        });
    }

    private static void layerNormBackward(Tensor[] out, Tensor[] in, LayerNormBackwardAttrs a) {
        Tensor gy = in[0], x = in[1], w = a.hasWeight() ? in[2] : null;
        Tensor gx = out[0], gw = out[1], gb = out[2];
        long d = rowLength(a.normalizedShape()), rows = d == 0 ? 0 : x.numel() / d;
        boolean f32 = x.dtype() == DType.F32;
        MemorySegment gys = gy.segment(), xs = x.segment(), gxs = gx.segment(), ws = w == null ? null : w.segment();
        long gyo = gy.offset(), xo = x.offset(), gxo = gx.offset(), wo = w == null ? 0 : w.offset();
        // per-chunk column sums for the weight and bias gradients, added in chunk order so the
        // result does not depend on which thread finished first
        Map<Long, double[][]> partials = new ConcurrentSkipListMap<>();
        CpuParallel.forRange(rows, Math.max(1, GRAIN / (2 * d)), (r0, r1) -> {
            double[] sw = new double[(int) d], sb = new double[(int) d], acc = new double[2];
            for (long r = r0; r < r1; r++) {
                long p = r * d;
                double mean = PlaneMath.sum(xs, xo + p, d, f32) / d;
                double rstd = 1 / Math.sqrt(PlaneMath.squaredDeviation(xs, xo + p, d, mean, f32) / d + a.eps());
                PlaneMath.weightedSumAndDot(gys, gyo + p, xs, xo + p, ws, wo, d, mean, f32, acc);
                // gx = rstd * (g - sum(g) / D - xhat * sum(g * xhat) / D), xhat = (x - mean) * rstd
                double cb = -rstd * rstd * rstd * acc[1] / d, cc = -rstd * acc[0] / d;
                PlaneMath.weightedCombine(gys, gyo + p, xs, xo + p, ws, wo, gxs, gxo + p, d, mean, rstd, cb, cc, f32);
                PlaneMath.accumulateColumns(gys, gyo + p, xs, xo + p, d, mean, rstd, sw, sb, f32);
            }
            partials.put(r0, new double[][] {sw, sb});
        });
        double[] sw = new double[(int) d], sb = new double[(int) d];
        for (double[][] part : partials.values()) {
            for (int j = 0; j < d; j++) {
                sw[j] += part[0][j];
                sb[j] += part[1][j];
            }
        }
        for (int j = 0; j < d; j++) {
            ElementIO.set(gw.segment(), gw.dtype(), gw.offset() + j, sw[j]);
            ElementIO.set(gb.segment(), gb.dtype(), gb.offset() + j, sb[j]);
        }
    }

    private static long rowLength(int[] normalizedShape) {
        long d = 1;
        for (int s : normalizedShape) d *= s;
        return d;
    }
}
