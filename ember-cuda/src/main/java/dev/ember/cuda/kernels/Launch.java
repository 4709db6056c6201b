package dev.ember.cuda.kernels;

import dev.ember.core.DType;
import dev.ember.core.Tensor;
import dev.ember.cuda.CudaBackend;
import dev.ember.cuda.CudaDevice;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/** What every CUDA kernel wrapper needs: device pointers, dtype names, layouts and grid sizes. */
final class Launch {

    static final int BLOCK = 256;
    /** Grid-stride loops cap the grid; enough blocks to fill any current GPU several times over. */
    static final long MAX_GRID = 65535L * 8;
    static final int MAX_DIMS = 8;
    static final long LAYOUT_BYTES = 8 + 8 * MAX_DIMS + 3 * 8 * MAX_DIMS;

    private Launch() {}

    static CudaDevice device(CudaBackend b, Tensor t) { return b.device(t.device()); }

    /** The device address of element 0 of {@code t}. */
    static long ptr(Tensor t) { return t.segment().address() + t.offset() * t.dtype().byteSize(); }

    /** The dtype as it appears in kernel names. */
    static String name(DType d) { return d == DType.BOOL ? "boolean" : d.shortName(); }

    static long grid(long n) { return Math.min(MAX_GRID, Math.max(1, (n + BLOCK - 1) / BLOCK)); }

    /**
     * The {@code Layout} struct of ember.cuh for an output of {@code shape}: for each operand its
     * element strides aligned to the output's dimensions, 0 where it is broadcast.
     */
    static MemorySegment layout(int[] shape, Tensor... operands) {
        long[][] strides = new long[operands.length][];
        for (int k = 0; k < operands.length; k++) strides[k] = broadcastStrides(shape, operands[k]);
        return layout(shape, strides);
    }

    static MemorySegment layout(int[] shape, long[]... strides) {
        if (shape.length > MAX_DIMS) {
            throw new IllegalArgumentException("CUDA kernels take at most " + MAX_DIMS + " dimensions, got shape " + Arrays.toString(shape));
        }
        MemorySegment s = Arena.ofAuto().allocate(LAYOUT_BYTES, 8);
        s.set(ValueLayout.JAVA_INT, 0, shape.length);
        for (int d = 0; d < shape.length; d++) s.set(ValueLayout.JAVA_LONG, 8 + 8L * d, shape[d]);
        for (int k = 0; k < strides.length; k++) {
            for (int d = 0; d < shape.length; d++) s.set(ValueLayout.JAVA_LONG, 8 + 8L * MAX_DIMS + 64L * k + 8L * d, strides[k][d]);
        }
        return s;
    }

    static long[] broadcastStrides(int[] shape, Tensor t) {
        long[] r = new long[shape.length];
        int[] ts = t.shape();
        long[] st = t.strides();
        int lead = shape.length - ts.length;
        for (int d = 0; d < ts.length; d++) r[lead + d] = ts[d] == 1 ? 0 : st[d];
        return r;
    }

    static long[] contiguousStrides(int[] shape) {
        long[] r = new long[shape.length];
        long s = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            r[d] = s;
            s *= shape[d];
        }
        return r;
    }
}
