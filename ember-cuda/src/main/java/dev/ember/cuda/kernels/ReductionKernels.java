package dev.ember.cuda.kernels;

import dev.ember.core.DType;
import dev.ember.core.Shapes;
import dev.ember.core.Tensor;
import dev.ember.core.backend.KernelTable;
import dev.ember.core.ops.ReduceAttrs;
import dev.ember.core.ops.ReductionOps;
import dev.ember.cuda.CudaBackend;
import dev.ember.cuda.CudaDevice;

import java.util.EnumSet;
import java.util.Set;

/**
 * sum, amax/amin, max/min/argmax/argmin along an axis, softmax and log-softmax, from reduce.cu
 * and softmax.cu. Each views the input as [outer, reduced, inner]; reduced axes that are not
 * adjacent are first moved to the end by a strided copy.
 */
final class ReductionKernels {

    private ReductionKernels() {}

    private static final Set<DType> EXTREME_TYPES = EnumSet.of(DType.F32, DType.F64, DType.I8, DType.U8, DType.I32, DType.I64);

    static void register(KernelTable t, CudaBackend b) {
        t.register(ReductionOps.SUM, EnumSet.of(DType.F32, DType.F64, DType.I8, DType.U8, DType.I32, DType.I64, DType.BOOL),
                (out, in, a) -> sum(b, out[0], in[0], a));
        t.register(ReductionOps.AMAX, EXTREME_TYPES, (out, in, a) -> extreme(b, out[0], null, in[0], a.axes(), "max"));
        t.register(ReductionOps.AMIN, EXTREME_TYPES, (out, in, a) -> extreme(b, out[0], null, in[0], a.axes(), "min"));
        t.register(ReductionOps.MAX_DIM, EXTREME_TYPES, (out, in, a) -> extreme(b, out[0], out[1], in[0], a.axes(), "max"));
        t.register(ReductionOps.MIN_DIM, EXTREME_TYPES, (out, in, a) -> extreme(b, out[0], out[1], in[0], a.axes(), "min"));
        t.register(ReductionOps.ARGMAX, EXTREME_TYPES, (out, in, a) -> extreme(b, null, out[0], in[0], a.axes(), "max"));
        t.register(ReductionOps.ARGMIN, EXTREME_TYPES, (out, in, a) -> extreme(b, null, out[0], in[0], a.axes(), "min"));
        t.register(ReductionOps.SOFTMAX, ElementwiseKernels.FLOATS, (out, in, axis) -> softmax(b, out[0], in[0], axis, false));
        t.register(ReductionOps.LOG_SOFTMAX, ElementwiseKernels.FLOATS, (out, in, axis) -> softmax(b, out[0], in[0], axis, true));
    }

    /** [outer, reduced, inner] of a contiguous input whose reduced axes are adjacent. */
    private record View(Tensor x, long outer, long reduced, long inner) {}

    private static View view(CudaBackend b, Tensor x, int[] axes) {
        int[] shape = x.shape();
        int[] perm = Shapes.reducedAxesLast(shape.length, axes);
        if (perm != null) {
            Tensor moved = Tensor.empty(x.dtype(), x.device(), Shapes.permuted(shape, perm));
            CopyKernels.copy(b, moved, x.permute(perm));
            return view(b, moved, Shapes.lastAxes(shape.length, axes.length));
        }
        long[] ori = Shapes.outerReducedInner(shape, axes);
        long outer = ori[0], reduced = ori[1], inner = ori[2];
        return new View(x, outer, reduced, inner);
    }

    static void sum(CudaBackend b, Tensor o, Tensor x, ReduceAttrs a) {
        if (o.numel() == 0) return;
        View v = view(b, x, a.axes());
        if (v.reduced == 0) {
            CreationKernels.fill(b, o, 0);
            return;
        }
        CudaDevice dev = Launch.device(b, o);
        String t = Launch.name(x.dtype());
        if (v.inner == 1) {
            dev.launch("reduce_sum_rows_" + t, Math.min(v.outer, Launch.MAX_GRID), Launch.BLOCK, 0,
                    v.outer, v.reduced, Launch.ptr(v.x), Launch.ptr(o));
        } else {
            long n = v.outer * v.inner;
            dev.launch("reduce_sum_cols_" + t, Launch.grid(n), Launch.BLOCK, 0, v.outer, v.reduced, v.inner, Launch.ptr(v.x), Launch.ptr(o));
        }
    }

    static void extreme(CudaBackend b, Tensor values, Tensor indices, Tensor x, int[] axes, String which) {
        Tensor any = values != null ? values : indices;
        if (any.numel() == 0) return;
        View v = view(b, x, axes);
        long n = v.outer * v.inner;
        Launch.device(b, any).launch("reduce_" + which + "_" + Launch.name(x.dtype()), Launch.grid(n), Launch.BLOCK, 0,
                v.outer, v.reduced, v.inner, Launch.ptr(v.x), values == null ? 0L : Launch.ptr(values),
                indices == null ? 0L : Launch.ptr(indices));
    }

    static void softmax(CudaBackend b, Tensor o, Tensor x, int axis, boolean log) {
        if (o.numel() == 0) return;
        View v = view(b, x, new int[] {axis});
        CudaDevice dev = Launch.device(b, o);
        if (v.inner == 1 && x.dtype() == DType.F32) {
            dev.launch("softmax_rows_f32", Math.min(v.outer, Launch.MAX_GRID), Launch.BLOCK, 0,
                    v.outer, v.reduced, Launch.ptr(v.x), Launch.ptr(o), log ? 1 : 0);
        } else {
            long n = v.outer * v.inner;
            dev.launch("softmax_cols_" + Launch.name(x.dtype()), Launch.grid(n), Launch.BLOCK, 0,
                    v.outer, v.reduced, v.inner, Launch.ptr(v.x), Launch.ptr(o), log ? 1 : 0);
        }
    }
}
