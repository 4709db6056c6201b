package dev.ember.core;

/**
 * The element types a tensor can hold.
 *
 * <pre>{@code
 * Tensor h = Tensor.ones(2, 2).to(DType.F16);
 * }</pre>
 */
public enum DType {
    F32("f32", 4, true),
    F64("f64", 8, true),
    F16("f16", 2, true),
    BF16("bf16", 2, true),
    I8("i8", 1, false),
    U8("u8", 1, false),
    I32("i32", 4, false),
    I64("i64", 8, false),
    BOOL("bool", 1, false);

    private final String shortName;
    private final int byteSize;
    private final boolean floating;

    DType(String shortName, int byteSize, boolean floating) {
        this.shortName = shortName;
        this.byteSize = byteSize;
        this.floating = floating;
    }

    public String shortName() { return shortName; }
    public int byteSize() { return byteSize; }
    public boolean isFloating() { return floating; }
    /** f16 and bf16: stored narrow, computed in f32 by backends that have no native kernel. */
    public boolean isHalf() { return this == F16 || this == BF16; }
    public boolean isIntegral() { return !floating && this != BOOL; }

    /** NumPy/PyTorch-style promotion of two tensor dtypes: float beats int, wider beats narrower. */
    public static DType promote(DType a, DType b) {
        if (a == b) return a;
        if (a.floating || b.floating) {
            if (!a.floating) return b;
            if (!b.floating) return a;
            if (a == F64 || b == F64) return F64;
            if (a == F32 || b == F32) return F32;
            return F32; // f16 with bf16: neither holds the other, as in PyTorch
        }
        if (a == BOOL) return b;
        if (b == BOOL) return a;
        if (a == I64 || b == I64) return I64;
        if (a == I32 || b == I32) return I32;
        return I32; // i8 with u8: PyTorch gives i16, which we do not have; i32 holds both
    }

    public static DType parse(String s) {
        for (DType d : values()) {
            if (d.shortName.equalsIgnoreCase(s) || d.name().equalsIgnoreCase(s)) return d;
        }
        return switch (s.toLowerCase()) {
            case "float", "float32" -> F32;
            case "double", "float64" -> F64;
            case "half", "float16" -> F16;
            case "bfloat16" -> BF16;
            case "int8" -> I8;
            case "uint8" -> U8;
            case "int", "int32" -> I32;
            case "long", "int64" -> I64;
            case "boolean" -> BOOL;
            default -> throw new IllegalArgumentException("unknown dtype '" + s + "'; expected one of f32, f64, f16, bf16, i8, u8, i32, i64, bool");
        };
    }

    @Override
    public String toString() { return shortName; }
}
