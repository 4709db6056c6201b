package dev.ember.cpu.kernels;

import dev.ember.core.DType;
import dev.ember.core.Tensor;
import dev.ember.core.backend.KernelTable;
import dev.ember.core.ops.ReductionOps;
import dev.ember.cpu.CpuParallel;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.EnumSet;

/**
 * softmax and log_softmax along one axis of a contiguous input seen as [outer, n, inner]. Each
 * slice subtracts its maximum before exp, so no exp overflows, and sums in double.
 */
final class SoftmaxKernels {

    /** Inner positions handled together when the axis is not the innermost. */
    private static final int BLOCK = 256;

    private SoftmaxKernels() {}

    static void register(KernelTable t) {
        var types = EnumSet.of(DType.F32, DType.F64);
        t.register(ReductionOps.SOFTMAX, types, (out, in, axis) -> run(out[0], in[0], axis, false));
        t.register(ReductionOps.LOG_SOFTMAX, types, (out, in, axis) -> run(out[0], in[0], axis, true));
    }

    static void run(Tensor o, Tensor x, int axis, boolean log) {
        if (o.numel() == 0) return;
        int[] shape = x.shape();
        long outer = 1, inner = 1, n = shape[axis];
        for (int i = 0; i < axis; i++) outer *= shape[i];
        for (int i = axis + 1; i < shape.length; i++) inner *= shape[i];
        boolean f32 = x.dtype() == DType.F32;
        MemorySegment s = x.segment(), d = o.segment();
        long so = x.offset(), dOff = o.offset();
        long in = inner;
        if (inner == 1) {
            CpuParallel.forRange(outer, Math.max(1, 8192 / n), (r0, r1) -> {
                for (long r = r0; r < r1; r++) row(s, so + r * n, d, dOff + r * n, n, f32, log);
            });
            return;
        }
        long blocks = (inner + BLOCK - 1) / BLOCK;
        CpuParallel.forRange(outer * blocks, Math.max(1, 8192 / (n * Math.min(BLOCK, inner))), (t0, t1) -> {
            int width = (int) Math.min(BLOCK, in);
            double[] max = new double[width], sum = new double[width];
            for (long t = t0; t < t1; t++) {
                long r = t / blocks, j0 = (t % blocks) * BLOCK;
                int len = (int) Math.min(BLOCK, in - j0);
                long base = r * n * in + j0;
                java.util.Arrays.fill(max, 0, len, Double.NEGATIVE_INFINITY);
                java.util.Arrays.fill(sum, 0, len, 0);
                for (long k = 0; k < n; k++) {
                    for (int j = 0; j < len; j++) max[j] = Math.max(max[j], read(s, so + base + k * in + j, f32));
                }
                for (long k = 0; k < n; k++) {
                    for (int j = 0; j < len; j++) sum[j] += Math.exp(read(s, so + base + k * in + j, f32) - max[j]);
                }
                for (int j = 0; j < len; j++) sum[j] = log ? Math.log(sum[j]) : 1 / sum[j];
                for (long k = 0; k < n; k++) {
                    for (int j = 0; j < len; j++) {
                        double z = read(s, so + base + k * in + j, f32) - max[j];
                        write(d, dOff + base + k * in + j, log ? z - sum[j] : Math.exp(z) * sum[j], f32);
                    }
                }
            }
        });
    }

    private static void row(MemorySegment s, long sb, MemorySegment d, long db, long n, boolean f32, boolean log) {
        double max = Double.NEGATIVE_INFINITY;
        for (long k = 0; k < n; k++) max = Math.max(max, read(s, sb + k, f32));
        double sum = 0;
        if (log) {
            for (long k = 0; k < n; k++) sum += Math.exp(read(s, sb + k, f32) - max);
            double shift = max + Math.log(sum);
            for (long k = 0; k < n; k++) write(d, db + k, read(s, sb + k, f32) - shift, f32);
        } else {
            // exp is computed once: stored unscaled, then scaled in place by 1/sum
            for (long k = 0; k < n; k++) {
                double e = Math.exp(read(s, sb + k, f32) - max);
                sum += e;
                write(d, db + k, e, f32);
            }
            double inv = 1 / sum;
            for (long k = 0; k < n; k++) write(d, db + k, read(d, db + k, f32) * inv, f32);
        }
    }

    private static double read(MemorySegment s, long i, boolean f32) {
        return f32 ? s.getAtIndex(ValueLayout.JAVA_FLOAT, i) : s.getAtIndex(ValueLayout.JAVA_DOUBLE, i);
    }

    private static void write(MemorySegment s, long i, double v, boolean f32) {
        if (f32) s.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) v);
        else s.setAtIndex(ValueLayout.JAVA_DOUBLE, i, v);
    }
}
