package dev.ember.cpu.kernels;

import dev.ember.core.DType;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Reads and writes one element of any dtype as a double or a long: the generic (slow) path of
 * the CPU kernels, used for conversions, integer dtypes and strided corner cases. Fast paths
 * for f32/f64 do not go through here. Indices are element indices (not bytes).
 */
public final class ElementIO {

    private ElementIO() {}

    public static double get(MemorySegment s, DType d, long i) {
        return switch (d) {
            case F32 -> s.getAtIndex(ValueLayout.JAVA_FLOAT, i);
            case F64 -> s.getAtIndex(ValueLayout.JAVA_DOUBLE, i);
            case F16 -> Float.float16ToFloat(s.getAtIndex(ValueLayout.JAVA_SHORT, i));
            case BF16 -> bf16ToFloat(s.getAtIndex(ValueLayout.JAVA_SHORT, i));
            case I8 -> s.get(ValueLayout.JAVA_BYTE, i);
            case U8 -> s.get(ValueLayout.JAVA_BYTE, i) & 0xFF;
            case I32 -> s.getAtIndex(ValueLayout.JAVA_INT, i);
            case I64 -> s.getAtIndex(ValueLayout.JAVA_LONG, i);
            case BOOL -> s.get(ValueLayout.JAVA_BYTE, i) != 0 ? 1 : 0;
        };
    }

    public static void set(MemorySegment s, DType d, long i, double v) {
        switch (d) {
            case F32 -> s.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) v);
            case F64 -> s.setAtIndex(ValueLayout.JAVA_DOUBLE, i, v);
            case F16 -> s.setAtIndex(ValueLayout.JAVA_SHORT, i, Float.floatToFloat16((float) v));
            case BF16 -> s.setAtIndex(ValueLayout.JAVA_SHORT, i, floatToBf16((float) v));
            case I8 -> s.set(ValueLayout.JAVA_BYTE, i, (byte) toLong(v));
            case U8 -> s.set(ValueLayout.JAVA_BYTE, i, (byte) toLong(v));
            case I32 -> s.setAtIndex(ValueLayout.JAVA_INT, i, (int) toLong(v));
            case I64 -> s.setAtIndex(ValueLayout.JAVA_LONG, i, toLong(v));
            case BOOL -> s.set(ValueLayout.JAVA_BYTE, i, (byte) (v != 0 ? 1 : 0));
        }
    }

    /** Exact for every integer dtype (i64 included); floating values truncate toward zero. */
    public static long getLong(MemorySegment s, DType d, long i) {
        return switch (d) {
            case I64 -> s.getAtIndex(ValueLayout.JAVA_LONG, i);
            case I32 -> s.getAtIndex(ValueLayout.JAVA_INT, i);
            case I8 -> s.get(ValueLayout.JAVA_BYTE, i);
            case U8 -> s.get(ValueLayout.JAVA_BYTE, i) & 0xFF;
            case BOOL -> s.get(ValueLayout.JAVA_BYTE, i) != 0 ? 1 : 0;
            default -> toLong(get(s, d, i));
        };
    }

    public static void setLong(MemorySegment s, DType d, long i, long v) {
        switch (d) {
            case I64 -> s.setAtIndex(ValueLayout.JAVA_LONG, i, v);
            case I32 -> s.setAtIndex(ValueLayout.JAVA_INT, i, (int) v);
            case I8, U8 -> s.set(ValueLayout.JAVA_BYTE, i, (byte) v);
            case BOOL -> s.set(ValueLayout.JAVA_BYTE, i, (byte) (v != 0 ? 1 : 0));
            default -> set(s, d, i, v);
        }
    }

    /** C-style conversion: truncation toward zero; NaN becomes 0. */
    static long toLong(double v) { return (long) v; }

    /** bfloat16 is the top half of an f32. */
    public static float bf16ToFloat(short h) {
        return Float.intBitsToFloat((h & 0xFFFF) << 16);
    }

    /** Rounds to nearest, ties to even, as bfloat16 is defined; NaN stays a quiet NaN. */
    public static short floatToBf16(float f) {
        int bits = Float.floatToRawIntBits(f);
        if (Float.isNaN(f)) return (short) ((bits >>> 16) | 0x0040);
        int lsb = (bits >>> 16) & 1;
        int rounded = bits + 0x7FFF + lsb;
        return (short) (rounded >>> 16);
    }
}
