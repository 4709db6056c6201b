package dev.ember.cpu.kernels;

import dev.ember.core.DType;
import dev.ember.core.Shapes;
import dev.ember.core.Tensor;
import dev.ember.core.backend.KernelTable;
import dev.ember.core.ops.ReduceAttrs;
import dev.ember.core.ops.ReductionOps;
import dev.ember.cpu.CpuParallel;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
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
     * Views the (contiguous) input as [outer, reduced, inner] when the reduced axes are adjacent,
     * and otherwise first moves them to the end; accumulates in double (or long for integers).
     */
    static void sum(Tensor o, Tensor x, ReduceAttrs a) {
        int[] axes = a.axes();
        int[] shape = x.shape();
        int[] perm = Shapes.reducedAxesLast(shape.length, axes);
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
        boolean ints = !d.isFloating();
        long R = reduced, I = inner;
        CpuParallel.forRange(outer * inner, Math.max(1, 8192 / Math.max(1, R)), (j0, j1) -> {
            if (I == 1) {
                for (long j = j0; j < j1; j++) {
                    long base = xo + j * R;
                    if (d == DType.F32) {
                        double acc = 0;
                        for (long r = 0; r < R; r++) acc += xs.getAtIndex(ValueLayout.JAVA_FLOAT, base + r);
                        os.setAtIndex(ValueLayout.JAVA_FLOAT, j, (float) acc);
                    } else if (ints) {
                        long acc = 0;
                        for (long r = 0; r < R; r++) acc += ElementIO.getLong(xs, d, base + r);
                        ElementIO.setLong(os, od, j, acc);
                    } else {
                        double acc = 0;
                        for (long r = 0; r < R; r++) acc += ElementIO.get(xs, d, base + r);
                        ElementIO.set(os, od, j, acc);
                    }
                }
                return;
            }
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
}
