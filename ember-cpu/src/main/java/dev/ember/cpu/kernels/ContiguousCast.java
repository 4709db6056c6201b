package dev.ember.cpu.kernels;

import dev.ember.core.DType;
import dev.ember.cpu.CpuParallel;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A dtype conversion between two contiguous tensors of one shape, in blocks: each block is
 * bulk-copied to a heap array of the source type, widened to doubles in one tight loop, and
 * narrowed and bulk-copied out the same way. The element-wise path through {@link ElementIO}
 * switched on both dtypes and checked the segment for every element (about 5 ns of CPU an
 * element; dropout's bool-to-f32 mask cast was 3% of a CNN train step). Values go through a
 * double exactly as on that path, so results are bit for bit the same.
 */
final class ContiguousCast {

    private ContiguousCast() {}

    private static final int BLOCK = 4096;

    /** dst[dOff + i] = (dd) src[sOff + i] for i in [0, n), offsets in elements. */
    static void run(MemorySegment src, DType sd, long sOff, MemorySegment dst, DType dd, long dOff, long n) {
        long blocks = (n + BLOCK - 1) / BLOCK;
        // buffers no longer than the tensor: a cast of a batch's 128 labels allocated 60 KB
        int size = (int) Math.min(BLOCK, n);
        CpuParallel.forRange(blocks, 8, (b0, b1) -> {
            double[] v = new double[size];
            Object sTmp = heapArray(sd, size), dTmp = heapArray(dd, size);
            for (long b = b0; b < b1; b++) {
                long i0 = b * BLOCK;
                int len = (int) Math.min(BLOCK, n - i0);
                read(src, sd, sOff + i0, len, sTmp, v);
                write(v, len, dTmp, dst, dd, dOff + i0);
            }
        });
    }

    private static Object heapArray(DType d, int size) {
        return switch (d) {
            case F32 -> new float[size];
            case F64 -> new double[size];
            case F16, BF16 -> new short[size];
            case I8, U8, BOOL -> new byte[size];
            case I32 -> new int[size];
            case I64 -> new long[size];
        };
    }

    private static void read(MemorySegment s, DType d, long off, int len, Object tmp, double[] v) {
        switch (d) {
            case F32 -> {
                float[] t = (float[]) tmp;
                MemorySegment.copy(s, ValueLayout.JAVA_FLOAT, off * 4, t, 0, len);
                for (int i = 0; i < len; i++) v[i] = t[i];
            }
            case F64 -> MemorySegment.copy(s, ValueLayout.JAVA_DOUBLE, off * 8, v, 0, len);
            case F16 -> {
                short[] t = (short[]) tmp;
                MemorySegment.copy(s, ValueLayout.JAVA_SHORT, off * 2, t, 0, len);
                for (int i = 0; i < len; i++) v[i] = Float.float16ToFloat(t[i]);
            }
            case BF16 -> {
                short[] t = (short[]) tmp;
                MemorySegment.copy(s, ValueLayout.JAVA_SHORT, off * 2, t, 0, len);
                for (int i = 0; i < len; i++) v[i] = ElementIO.bf16ToFloat(t[i]);
            }
            case I8 -> {
                byte[] t = (byte[]) tmp;
                MemorySegment.copy(s, ValueLayout.JAVA_BYTE, off, t, 0, len);
                for (int i = 0; i < len; i++) v[i] = t[i];
            }
            case U8 -> {
                byte[] t = (byte[]) tmp;
                MemorySegment.copy(s, ValueLayout.JAVA_BYTE, off, t, 0, len);
                for (int i = 0; i < len; i++) v[i] = t[i] & 0xFF;
            }
            case BOOL -> {
                byte[] t = (byte[]) tmp;
                MemorySegment.copy(s, ValueLayout.JAVA_BYTE, off, t, 0, len);
                // branch-free: a dropout mask is a coin toss per element, and the ternary's
                // mispredictions made this loop 10x slower than the copy around it
                for (int i = 0; i < len; i++) v[i] = (t[i] | -t[i]) >>> 31;
            }
            case I32 -> {
                int[] t = (int[]) tmp;
                MemorySegment.copy(s, ValueLayout.JAVA_INT, off * 4, t, 0, len);
                for (int i = 0; i < len; i++) v[i] = t[i];
            }
            case I64 -> {
                long[] t = (long[]) tmp;
                MemorySegment.copy(s, ValueLayout.JAVA_LONG, off * 8, t, 0, len);
                for (int i = 0; i < len; i++) v[i] = t[i];
            }
        }
    }

    private static void write(double[] v, int len, Object tmp, MemorySegment s, DType d, long off) {
        switch (d) {
            case F32 -> {
                float[] t = (float[]) tmp;
                for (int i = 0; i < len; i++) t[i] = (float) v[i];
                MemorySegment.copy(t, 0, s, ValueLayout.JAVA_FLOAT, off * 4, len);
            }
            case F64 -> MemorySegment.copy(v, 0, s, ValueLayout.JAVA_DOUBLE, off * 8, len);
            case F16 -> {
                short[] t = (short[]) tmp;
                for (int i = 0; i < len; i++) t[i] = Float.floatToFloat16((float) v[i]);
                MemorySegment.copy(t, 0, s, ValueLayout.JAVA_SHORT, off * 2, len);
            }
            case BF16 -> {
                short[] t = (short[]) tmp;
                for (int i = 0; i < len; i++) t[i] = ElementIO.floatToBf16((float) v[i]);
                MemorySegment.copy(t, 0, s, ValueLayout.JAVA_SHORT, off * 2, len);
            }
            case I8, U8 -> {
                byte[] t = (byte[]) tmp;
                for (int i = 0; i < len; i++) t[i] = (byte) ElementIO.toLong(v[i]);
                MemorySegment.copy(t, 0, s, ValueLayout.JAVA_BYTE, off, len);
            }
            case BOOL -> {
                byte[] t = (byte[]) tmp;
                for (int i = 0; i < len; i++) t[i] = (byte) (v[i] != 0 ? 1 : 0);
                MemorySegment.copy(t, 0, s, ValueLayout.JAVA_BYTE, off, len);
            }
            case I32 -> {
                int[] t = (int[]) tmp;
                for (int i = 0; i < len; i++) t[i] = (int) ElementIO.toLong(v[i]);
                MemorySegment.copy(t, 0, s, ValueLayout.JAVA_INT, off * 4, len);
            }
            case I64 -> {
                long[] t = (long[]) tmp;
                for (int i = 0; i < len; i++) t[i] = ElementIO.toLong(v[i]);
                MemorySegment.copy(t, 0, s, ValueLayout.JAVA_LONG, off * 8, len);
            }
        }
    }
}
