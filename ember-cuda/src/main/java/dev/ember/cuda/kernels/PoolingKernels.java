package dev.ember.cuda.kernels;

import dev.ember.core.DType;
import dev.ember.core.Tensor;
import dev.ember.core.backend.KernelTable;
import dev.ember.core.ops.PoolingOps;
import dev.ember.core.ops.PoolingOps.MaxPool2dAttrs;
import dev.ember.core.ops.PoolingOps.AxisWeights;
import dev.ember.cuda.CudaBackend;
import dev.ember.cuda.CudaDevice;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Max pooling with indices, its backward (scatter) and its gather, from pool.cu; and the
 * separable resamplings (average, adaptive average, nearest and bilinear upsampling, and their
 * adjoints) through one kernel of resample.cu fed the weights {@link PoolingOps} defines.
 */
final class PoolingKernels {

    private PoolingKernels() {}

    private static final Set<DType> FLOATS = EnumSet.of(DType.F32, DType.F64);

    static void register(KernelTable t, CudaBackend b) {
        for (PoolingOps.ResampleOp op : List.of(PoolingOps.AVG_POOL2D, PoolingOps.ADAPTIVE_AVG_POOL2D, PoolingOps.UPSAMPLE_NEAREST2D,
                PoolingOps.UPSAMPLE_BILINEAR2D)) {
            t.register(op, FLOATS, (out, in, r) -> resample(b, out[0], in[0],
                    r.weights(0, in[0].shape(2)), r.weights(1, in[0].shape(3))));
            t.register(op.adjoint(), FLOATS, (out, in, a) -> resample(b, out[0], in[0],
                    transpose(a.forward().weights(0, a.inputShape()[2]), a.inputShape()[2]),
                    transpose(a.forward().weights(1, a.inputShape()[3]), a.inputShape()[3])));
        }
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

    /** y[p] = R x[p] C^T with R, C the sparse row and column weight matrices. */
    static void resample(CudaBackend b, Tensor y, Tensor x, AxisWeights rows, AxisWeights cols) {
        long n = y.numel();
        if (n == 0) return;
        CudaDevice dev = Launch.device(b, y);
        int[] ri = rows.index(), ci = cols.index();
        int rs = rows.start().length, cs = cols.start().length;
        // one upload: the four int arrays, then the two double arrays at an 8-byte boundary
        long ints = (long) rs + ri.length + cs + ci.length;
        long dOff = (ints * 4 + 7) & ~7L;
        long bytes = dOff + 8L * (rows.weight().length + cols.weight().length);
        MemorySegment block = dev.allocator().allocate(Math.max(bytes, 8));
        try (Arena a = Arena.ofConfined()) {
            MemorySegment host = a.allocate(Math.max(bytes, 8), 8);
            long at = 0;
            long[] iOff = new long[4];
            int[][] arrays = {rows.start(), ri, cols.start(), ci};
            for (int k = 0; k < 4; k++) {
                iOff[k] = at;
                MemorySegment.copy(arrays[k], 0, host, ValueLayout.JAVA_INT, at, arrays[k].length);
                at += 4L * arrays[k].length;
            }
            MemorySegment.copy(rows.weight(), 0, host, ValueLayout.JAVA_DOUBLE, dOff, rows.weight().length);
            long cwOff = dOff + 8L * rows.weight().length;
            MemorySegment.copy(cols.weight(), 0, host, ValueLayout.JAVA_DOUBLE, cwOff, cols.weight().length);
            dev.copyFromHost(host, 0, block.address(), bytes);
            long base = block.address();
            dev.launch("resample_2d_" + Launch.name(y.dtype()), Launch.grid(n), Launch.BLOCK, 0,
                    (long) y.shape(0) * y.shape(1), (long) x.shape(2), (long) x.shape(3), (long) y.shape(2), (long) y.shape(3),
                    sparse(base + iOff[0], base + iOff[1], base + dOff), sparse(base + iOff[2], base + iOff[3], base + cwOff),
                    Launch.ptr(x), Launch.ptr(y));
        } finally {
            dev.allocator().release(block, Math.max(bytes, 8));
        }
    }

    /** The Sparse struct of resample.cu: three device pointers. */
    private static MemorySegment sparse(long start, long index, long weight) {
        MemorySegment m = Arena.ofAuto().allocate(24, 8);
        m.set(ValueLayout.JAVA_LONG, 0, start);
        m.set(ValueLayout.JAVA_LONG, 8, index);
        m.set(ValueLayout.JAVA_LONG, 16, weight);
        return m;
    }

    /** The transpose of a sparse weight matrix with {@code in} columns: what an adjoint gathers with. */
    static AxisWeights transpose(AxisWeights w, int in) {
        int[] start = w.start(), idx = w.index();
        int out = start.length - 1;
        int[] tStart = new int[in + 1];
        for (int k = 0; k < start[out]; k++) tStart[idx[k] + 1]++;
        for (int i = 0; i < in; i++) tStart[i + 1] += tStart[i];
        int[] fill = Arrays.copyOf(tStart, in);
        int[] tIdx = new int[start[out]];
        double[] tW = new double[start[out]];
        for (int o = 0; o < out; o++) {
            for (int k = start[o]; k < start[o + 1]; k++) {
                int slot = fill[idx[k]]++;
                tIdx[slot] = o;
                tW[slot] = w.weight()[k];
            }
        }
        return new AxisWeights(tStart, tIdx, tW);
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
