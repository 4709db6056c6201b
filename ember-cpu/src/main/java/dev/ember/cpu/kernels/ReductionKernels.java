package dev.ember.cpu.kernels;

import dev.ember.core.DType;
import dev.ember.core.Shapes;
import dev.ember.core.Tensor;
import dev.ember.core.backend.KernelTable;
import dev.ember.core.ops.ReduceAttrs;
import dev.ember.core.ops.ReductionOps;
import dev.ember.cpu.CpuParallel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.EnumSet;

/** Reduction kernels. */
final class ReductionKernels {

    private ReductionKernels() {}

    static void register(KernelTable t) {
        t.register(ReductionOps.SUM, EnumSet.allOf(DType.class), (out, in, a) -> sum(out[0], in[0], a));
        MinMaxKernels.register(t);
        SoftmaxKernels.register(t);
    }

    /**
     * Views the (contiguous) input as [outer, reduced, inner] when the reduced axes are adjacent.
     * Otherwise f32 reduces the last run of adjacent reduced axes first into a smaller tensor and
     * then the rest (a conv bias gradient, axes 0, 2, 3 of NCHW, becomes a plane sum and then a sum
     * over the batch, with no transposed copy); other dtypes move the reduced axes to the end.
     * f32 adds in float vectors over blocks of {@link #BLOCK} and carries the block sums in double;
     * other dtypes accumulate in double (or long for integers).
     */
    static void sum(Tensor o, Tensor x, ReduceAttrs a) {
        int[] axes = a.axes();
        int[] shape = x.shape();
        int[] perm = Shapes.reducedAxesLast(shape.length, axes);
        if (perm != null && x.dtype() == DType.F32) {
            int run = axes.length - 1;
            while (run > 0 && axes[run - 1] == axes[run] - 1) run--;
            int[] tail = java.util.Arrays.copyOfRange(axes, run, axes.length);
            int[] partShape = Shapes.reduced(shape, tail, false);
            Tensor part = Tensor.empty(x.dtype(), x.device(), partShape);
            sum(part, x, new ReduceAttrs(tail, false));
            sum(o, part, new ReduceAttrs(java.util.Arrays.copyOf(axes, run), a.keepDim()));
            return;
        }
        if (perm != null) {
            Tensor moved = Tensor.empty(x.dtype(), x.device(), Shapes.permuted(shape, perm));
            CopyKernels.copy(moved, x.permute(perm));
            sum(o, moved, new ReduceAttrs(Shapes.lastAxes(shape.length, axes.length), a.keepDim()));
            return;
        }
        long[] ori = Shapes.outerReducedInner(shape, axes);
        long outer = ori[0], reduced = ori[1], inner = ori[2];
        MemorySegment xs = x.segment(), os = o.segment();
        long xo = x.offset();
        DType d = x.dtype(), od = o.dtype();
        if (d == DType.F32 && od == DType.F32) {
            if (inner == 1) sumRowsF32(xs, xo, os, outer, reduced);
            else sumColumnsF32(xs, xo, os, outer, reduced, inner);
            return;
        }
        boolean ints = !d.isFloating();
        long R = reduced, I = inner;
        CpuParallel.forRange(outer * inner, Math.max(1, 8192 / Math.max(1, R)), (j0, j1) -> {
            for (long j = j0; j < j1; j++) {
                long po = j / I, pi = j % I;
                long base = xo + po * R * I + pi;
                if (ints) {
                    long acc = 0;
                    for (long r = 0; r < R; r++) acc += ElementIO.getLong(xs, d, base + r * I);
                    ElementIO.setLong(os, od, j, acc);
                } else {
                    double acc = 0;
                    for (long r = 0; r < R; r++) acc += ElementIO.get(xs, d, base + r * I);
                    ElementIO.set(os, od, j, acc);
                }
            }
        });
    }

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
    /** Elements (or rows) added in float before the partial sum moves to a double. */
    static final int BLOCK = 1024;

    /** o[j] = sum of row j of an [outer, reduced] matrix. */
    private static void sumRowsF32(MemorySegment xs, long xo, MemorySegment os, long outer, long reduced) {
        int len = F.length();
        CpuParallel.forRange(outer, Math.max(1, 16384 / Math.max(1, reduced)), (j0, j1) -> {
            for (long j = j0; j < j1; j++) {
                long base = (xo + j * reduced) * 4;
                double total = 0;
                for (long b0 = 0; b0 < reduced; b0 += BLOCK) {
                    long b1 = Math.min(reduced, b0 + BLOCK), r = b0;
                    FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F);
                    for (; r <= b1 - 2L * len; r += 2L * len) {
                        a0 = a0.add(FloatVector.fromMemorySegment(F, xs, base + r * 4, NATIVE));
                        a1 = a1.add(FloatVector.fromMemorySegment(F, xs, base + (r + len) * 4, NATIVE));
                    }
                    double block = VecMath.sumLanes(a0.add(a1));
                    for (; r < b1; r++) block += xs.get(ValueLayout.JAVA_FLOAT, base + r * 4);
                    total += block;
                }
                os.setAtIndex(ValueLayout.JAVA_FLOAT, j, (float) total);
            }
        });
    }

    /** o[po, i] = sum over r of x[po, r, i]: vectors run along the contiguous inner axis. */
    private static void sumColumnsF32(MemorySegment xs, long xo, MemorySegment os, long outer, long reduced, long inner) {
        int len = F.length();
        long chunks = (inner + len - 1) / len;
        CpuParallel.forRange(outer * chunks, Math.max(1, 2048 / Math.max(1, reduced)), (t0, t1) -> {
            double[] wide = new double[len];
            float[] tail = new float[len];
            for (long t = t0; t < t1; t++) {
                long po = t / chunks, i = (t % chunks) * len;
                int w = (int) Math.min(len, inner - i);
                long base = (xo + po * reduced * inner + i) * 4;
                java.util.Arrays.fill(wide, 0);
                for (long b0 = 0; b0 < reduced; b0 += BLOCK) {
                    long b1 = Math.min(reduced, b0 + BLOCK);
                    if (w == len) {
                        FloatVector acc = FloatVector.zero(F);
                        for (long r = b0; r < b1; r++) acc = acc.add(FloatVector.fromMemorySegment(F, xs, base + r * inner * 4, NATIVE));
                        acc.intoArray(tail, 0);
                    } else {
                        java.util.Arrays.fill(tail, 0);
                        for (long r = b0; r < b1; r++) {
                            for (int k = 0; k < w; k++) tail[k] += xs.get(ValueLayout.JAVA_FLOAT, base + (r * inner + k) * 4);
                        }
                    }
                    for (int k = 0; k < w; k++) wide[k] += tail[k];
                }
                long out = po * inner + i;
                for (int k = 0; k < w; k++) os.setAtIndex(ValueLayout.JAVA_FLOAT, out + k, (float) wide[k]);
            }
        });
    }
}
