package dev.ember.cuda.kernels;

import dev.ember.core.DType;
import dev.ember.core.Tensor;
import dev.ember.core.backend.KernelTable;
import dev.ember.core.ops.PoolingOps;
import dev.ember.core.ops.PoolingOps.MaxPool2dAttrs;
import dev.ember.cuda.CudaBackend;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** max pooling with indices, its backward (scatter) and its gather, from pool.cu. */
final class PoolingKernels {

    private PoolingKernels() {}

    static void register(KernelTable t, CudaBackend b) {
        t.register(PoolingOps.MAX_POOL2D, DType.F32, (out, in, a) -> maxPool(b, out[0], out[1], in[0], a));
        t.register(PoolingOps.MAX_POOL2D_BACKWARD, DType.F32, (out, in, shape) -> {
            Tensor gx = out[0], g = in[0], idx = in[1];
            CreationKernels.fill(b, gx, 0);
            long planes = (long) gx.shape(0) * gx.shape(1), op = (long) g.shape(2) * g.shape(3), ip = (long) gx.shape(2) * gx.shape(3);
            long n = planes * op;
            if (n == 0) return;
            Launch.device(b, gx).launch("pool_max2d_backward_f32", Launch.grid(n), Launch.BLOCK, 0, planes, op, ip,
                    Launch.ptr(g), Launch.ptr(idx), Launch.ptr(gx));
        });
        t.register(PoolingOps.MAX_POOL2D_GATHER, DType.F32, (out, in, a) -> {
            Tensor y = out[0], x = in[0], idx = in[1];
            long planes = (long) idx.shape(0) * idx.shape(1), op = (long) idx.shape(2) * idx.shape(3), ip = (long) x.shape(2) * x.shape(3);
            long n = planes * op;
            if (n == 0) return;
            Launch.device(b, y).launch("pool_gather_f32", Launch.grid(n), Launch.BLOCK, 0, planes, op, ip,
                    Launch.ptr(x), Launch.ptr(idx), Launch.ptr(y));
        });
    }

    /** The Pool2d struct of pool.cu: six i64 sizes, then nine ints, padded to 8 bytes. */
    static MemorySegment pool2d(Tensor x, Tensor y, int[] k, int[] s, int[] p, int[] d, boolean countPad) {
        MemorySegment m = Arena.ofAuto().allocate(88, 8);
        long[] sizes = {x.shape(0), x.shape(1), x.shape(2), x.shape(3), y.shape(2), y.shape(3)};
        for (int i = 0; i < 6; i++) m.set(ValueLayout.JAVA_LONG, 8L * i, sizes[i]);
        int[] ints = {k[0], k[1], s[0], s[1], p[0], p[1], d[0], d[1], countPad ? 1 : 0};
        for (int i = 0; i < ints.length; i++) m.set(ValueLayout.JAVA_INT, 48 + 4L * i, ints[i]);
        return m;
    }

    private static void maxPool(CudaBackend b, Tensor y, Tensor idx, Tensor x, MaxPool2dAttrs a) {
        long n = y.numel();
        if (n == 0) return;
        Launch.device(b, y).launch("pool_max2d_f32", Launch.grid(n), Launch.BLOCK, 0,
                pool2d(x, y, a.kernel(), a.stride(), a.padding(), a.dilation(), false), Launch.ptr(x), Launch.ptr(y), Launch.ptr(idx));
    }
}
