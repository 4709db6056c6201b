package dev.ember.cpu.kernels;

import dev.ember.core.DType;
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
        if (!adjacent(axes)) {
            int[] perm = new int[shape.length];
            boolean[] red = new boolean[shape.length];
            for (int ax : axes) red[ax] = true;
            int k = 0;
            for (int i = 0; i < shape.length; i++) if (!red[i]) perm[k++] = i;
            for (int ax : axes) perm[k++] = ax;
            Tensor moved = Tensor.empty(x.dtype(), x.device(), permuted(shape, perm));
            CopyKernels.copy(moved, x.permute(perm));
            int[] tail = new int[axes.length];
            for (int i = 0; i < axes.length; i++) tail[i] = shape.length - axes.length + i;
            sum(o, moved, new ReduceAttrs(tail, a.keepDim()));
            return;
        }
        long outer = 1, reduced = 1, inner = 1;
        int first = axes.length == 0 ? shape.length : axes[0], last = axes.length == 0 ? shape.length - 1 : axes[axes.length - 1];
        for (int i = 0; i < shape.length; i++) {
            if (i < first) outer *= shape[i];
            else if (i <= last) reduced *= shape[i];
            else inner *= shape[i];
        }
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

    static boolean adjacent(int[] axes) {
        for (int i = 1; i < axes.length; i++) if (axes[i] != axes[i - 1] + 1) return false;
        return true;
    }

    static int[] permuted(int[] shape, int[] perm) {
        int[] r = new int[perm.length];
        for (int i = 0; i < perm.length; i++) r[i] = shape[perm[i]];
        return r;
    }
}
