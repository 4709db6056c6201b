package dev.ember.cpu.kernels;

import dev.ember.core.DType;
import dev.ember.core.Tensor;
import dev.ember.core.backend.KernelTable;
import dev.ember.core.ops.ReductionOps;
import dev.ember.cpu.CpuParallel;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * amax/amin over any axes, and max/min/argmax/argmin along one axis. Inputs arrive contiguous,
 * so every pass sees the input as [outer, n, inner]. A nan anywhere in a reduction wins, as in
 * PyTorch; among equal extremes the first index wins.
 */
final class MinMaxKernels {

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
    /** Inner positions handled together when reducing a non-innermost axis. */
    private static final int BLOCK = 512;

    private MinMaxKernels() {}

    static void register(KernelTable t) {
        Set<DType> types = EnumSet.of(DType.F32, DType.F64, DType.I8, DType.U8, DType.I32, DType.I64, DType.BOOL);
        t.register(ReductionOps.AMAX, types, (out, in, a) -> extreme(out[0], in[0], a.axes(), true));
        t.register(ReductionOps.AMIN, types, (out, in, a) -> extreme(out[0], in[0], a.axes(), false));
        t.register(ReductionOps.MAX_DIM, types, (out, in, a) -> withIndex(out[0], out[1], in[0], a.axes()[0], true));
        t.register(ReductionOps.MIN_DIM, types, (out, in, a) -> withIndex(out[0], out[1], in[0], a.axes()[0], false));
        t.register(ReductionOps.ARGMAX, types, (out, in, a) -> withIndex(null, out[0], in[0], a.axes()[0], true));
        t.register(ReductionOps.ARGMIN, types, (out, in, a) -> withIndex(null, out[0], in[0], a.axes()[0], false));
    }

    // ---------------------------------------------------------------- amax / amin

    /**
     * Reduces the groups of adjacent reduced axes one at a time, last group first; max and min
     * are exact in any order, so the passes give the same result as one pass over all axes.
     */
    static void extreme(Tensor o, Tensor x, int[] axes, boolean max) {
        if (o.numel() == 0) return;
        DType d = x.dtype();
        int[] shape = x.shape();
        boolean[] red = new boolean[shape.length];
        for (int a : axes) red[a] = true;
        List<long[]> groups = new ArrayList<>(); // {size, reduced ? 1 : 0}
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] == 1) continue;
            long r = red[i] ? 1 : 0;
            if (!groups.isEmpty() && groups.getLast()[1] == r) groups.getLast()[0] *= shape[i];
            else groups.add(new long[] {shape[i], r});
        }
        long reducedGroups = groups.stream().filter(g -> g[1] == 1).count();
        MemorySegment src = x.segment();
        long srcOff = x.offset();
        if (reducedGroups == 0) {
            long bs = d.byteSize();
            MemorySegment.copy(src, srcOff * bs, o.segment(), o.offset() * bs, o.numel() * bs);
            return;
        }
        for (int g = groups.size() - 1; g >= 0; g--) {
            if (groups.get(g)[1] == 0) continue;
            long outer = 1, inner = 1, n = groups.get(g)[0];
            for (int i = 0; i < g; i++) outer *= groups.get(i)[0];
            for (int i = g + 1; i < groups.size(); i++) inner *= groups.get(i)[0];
            reducedGroups--;
            Tensor dst = reducedGroups == 0 ? o : Tensor.empty(d, x.device(), Math.toIntExact(outer * inner));
            reduce(d, src, srcOff, dst.segment(), dst.offset(), outer, n, inner, max);
            groups.remove(g);
            src = dst.segment();
            srcOff = dst.offset();
        }
    }

    private static void reduce(DType d, MemorySegment src, long so, MemorySegment dst, long dOff, long outer, long n, long inner, boolean max) {
        if (inner == 1) {
            CpuParallel.forRange(outer, Math.max(1, 16384 / n), (r0, r1) -> {
                for (long r = r0; r < r1; r++) reduceRow(d, src, so + r * n, dst, dOff + r, n, max);
            });
            return;
        }
        long blocks = (inner + BLOCK - 1) / BLOCK;
        CpuParallel.forRange(outer * blocks, Math.max(1, 32768 / (n * BLOCK)), (t0, t1) -> {
            for (long t = t0; t < t1; t++) {
                long r = t / blocks, j0 = (t % blocks) * BLOCK, len = Math.min(BLOCK, inner - j0);
                reduceColumns(d, src, so + r * n * inner + j0, dst, dOff + r * inner + j0, n, inner, len, max);
            }
        });
    }

    /** One contiguous row of n elements into one output element. */
    private static void reduceRow(DType d, MemorySegment s, long base, MemorySegment dst, long di, long n, boolean max) {
        switch (d) {
            case F32 -> {
                float best = s.getAtIndex(ValueLayout.JAVA_FLOAT, base);
                long k = 0;
                int lanes = F.length();
                if (n >= lanes) {
                    VectorOperators.Binary op = max ? VectorOperators.MAX : VectorOperators.MIN;
                    FloatVector acc = FloatVector.fromMemorySegment(F, s, base * 4, NATIVE);
                    for (k = lanes; k + lanes <= n; k += lanes) {
                        acc = acc.lanewise(op, FloatVector.fromMemorySegment(F, s, (base + k) * 4, NATIVE));
                    }
                    best = acc.reduceLanes(max ? VectorOperators.MAX : VectorOperators.MIN);
                }
                for (; k < n; k++) {
                    float v = s.getAtIndex(ValueLayout.JAVA_FLOAT, base + k);
                    best = max ? Math.max(best, v) : Math.min(best, v);
                }
                dst.setAtIndex(ValueLayout.JAVA_FLOAT, di, best);
            }
            case F64 -> {
                double best = s.getAtIndex(ValueLayout.JAVA_DOUBLE, base);
                for (long k = 1; k < n; k++) {
                    double v = s.getAtIndex(ValueLayout.JAVA_DOUBLE, base + k);
                    best = max ? Math.max(best, v) : Math.min(best, v);
                }
                dst.setAtIndex(ValueLayout.JAVA_DOUBLE, di, best);
            }
            default -> {
                long best = ElementIO.getLong(s, d, base);
                for (long k = 1; k < n; k++) {
                    long v = ElementIO.getLong(s, d, base + k);
                    best = max ? Math.max(best, v) : Math.min(best, v);
                }
                ElementIO.setLong(dst, d, di, best);
            }
        }
    }

    /** {@code len} adjacent columns of an [n, inner] slab into {@code len} adjacent outputs. */
    private static void reduceColumns(DType d, MemorySegment s, long base, MemorySegment dst, long di, long n, long inner,
                                      long len, boolean max) {
        switch (d) {
            case F32 -> {
                MemorySegment.copy(s, base * 4, dst, di * 4, len * 4);
                VectorOperators.Binary op = max ? VectorOperators.MAX : VectorOperators.MIN;
                int lanes = F.length();
                long vecEnd = len - len % lanes;
                for (long k = 1; k < n; k++) {
                    long row = base + k * inner;
                    long j = 0;
                    for (; j < vecEnd; j += lanes) {
                        FloatVector acc = FloatVector.fromMemorySegment(F, dst, (di + j) * 4, NATIVE);
                        acc.lanewise(op, FloatVector.fromMemorySegment(F, s, (row + j) * 4, NATIVE))
                                .intoMemorySegment(dst, (di + j) * 4, NATIVE);
                    }
                    for (; j < len; j++) {
                        float a = dst.getAtIndex(ValueLayout.JAVA_FLOAT, di + j), v = s.getAtIndex(ValueLayout.JAVA_FLOAT, row + j);
                        dst.setAtIndex(ValueLayout.JAVA_FLOAT, di + j, max ? Math.max(a, v) : Math.min(a, v));
                    }
                }
            }
            case F64 -> {
                MemorySegment.copy(s, base * 8, dst, di * 8, len * 8);
                for (long k = 1; k < n; k++) {
                    long row = base + k * inner;
                    for (long j = 0; j < len; j++) {
                        double a = dst.getAtIndex(ValueLayout.JAVA_DOUBLE, di + j), v = s.getAtIndex(ValueLayout.JAVA_DOUBLE, row + j);
                        dst.setAtIndex(ValueLayout.JAVA_DOUBLE, di + j, max ? Math.max(a, v) : Math.min(a, v));
                    }
                }
            }
            default -> {
                long[] best = new long[(int) len];
                for (int j = 0; j < len; j++) best[j] = ElementIO.getLong(s, d, base + j);
                for (long k = 1; k < n; k++) {
                    long row = base + k * inner;
                    for (int j = 0; j < len; j++) {
                        long v = ElementIO.getLong(s, d, row + j);
                        best[j] = max ? Math.max(best[j], v) : Math.min(best[j], v);
                    }
                }
                for (int j = 0; j < len; j++) ElementIO.setLong(dst, d, di + j, best[j]);
            }
        }
    }

    // ---------------------------------------------------------------- max / min / argmax / argmin along one axis

    /** Writes the extreme (when {@code values} is non-null) and the index of its first occurrence. */
    static void withIndex(Tensor values, Tensor indices, Tensor x, int axis, boolean max) {
        if (indices.numel() == 0) return;
        int[] shape = x.shape();
        long outer = 1, inner = 1, n = shape[axis];
        for (int i = 0; i < axis; i++) outer *= shape[i];
        for (int i = axis + 1; i < shape.length; i++) inner *= shape[i];
        DType d = x.dtype();
        MemorySegment s = x.segment(), is = indices.segment();
        MemorySegment vs = values == null ? null : values.segment();
        long so = x.offset(), io = indices.offset(), vo = values == null ? 0 : values.offset();
        long blocks = (inner + BLOCK - 1) / BLOCK;
        long in = inner;
        CpuParallel.forRange(outer * blocks, Math.max(1, 32768 / (n * Math.min(BLOCK, inner))), (t0, t1) -> {
            int width = (int) Math.min(BLOCK, in);
            long[] bestIdx = new long[width];
            double[] bestD = d.isFloating() ? new double[width] : null;
            long[] bestL = d.isFloating() ? null : new long[width];
            for (long t = t0; t < t1; t++) {
                long r = t / blocks, j0 = (t % blocks) * BLOCK;
                int len = (int) Math.min(BLOCK, in - j0);
                long base = so + r * n * in + j0;
                java.util.Arrays.fill(bestIdx, 0, len, 0);
                if (bestD != null) {
                    for (int j = 0; j < len; j++) bestD[j] = readFloating(s, d, base + j);
                    for (long k = 1; k < n; k++) {
                        long row = base + k * in;
                        for (int j = 0; j < len; j++) {
                            double v = readFloating(s, d, row + j), b = bestD[j];
                            // nan beats everything and is kept once found (its index is the first nan's)
                            boolean better = max ? v > b : v < b;
                            if (better || (v != v && b == b)) {
                                bestD[j] = v;
                                bestIdx[j] = k;
                            }
                        }
                    }
                } else {
                    for (int j = 0; j < len; j++) bestL[j] = ElementIO.getLong(s, d, base + j);
                    for (long k = 1; k < n; k++) {
                        long row = base + k * in;
                        for (int j = 0; j < len; j++) {
                            long v = ElementIO.getLong(s, d, row + j);
                            if (max ? v > bestL[j] : v < bestL[j]) {
                                bestL[j] = v;
                                bestIdx[j] = k;
                            }
                        }
                    }
                }
                long outBase = r * in + j0;
                for (int j = 0; j < len; j++) {
                    is.setAtIndex(ValueLayout.JAVA_LONG, io + outBase + j, bestIdx[j]);
                    if (vs == null) continue;
                    if (bestD != null) ElementIO.set(vs, d, vo + outBase + j, bestD[j]);
                    else ElementIO.setLong(vs, d, vo + outBase + j, bestL[j]);
                }
            }
        });
    }

    private static double readFloating(MemorySegment s, DType d, long i) {
        return d == DType.F32 ? s.getAtIndex(ValueLayout.JAVA_FLOAT, i) : s.getAtIndex(ValueLayout.JAVA_DOUBLE, i);
    }
}
