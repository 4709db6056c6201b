package dev.ember.cpu.kernels;

import dev.ember.core.DType;
import dev.ember.core.Tensor;
import dev.ember.core.backend.KernelTable;
import dev.ember.core.ops.BinaryOp;
import dev.ember.core.ops.ElementwiseOps;
import dev.ember.core.ops.UnaryOp;
import dev.ember.core.ops.UnaryParams;
import dev.ember.cpu.CpuParallel;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;

import static dev.ember.core.ops.ElementwiseOps.*;

/**
 * Kernels for the elementwise ops. Each op is given once as a scalar function in double
 * (exact for f32 after rounding, and the reference) and, where it pays, as a Vector API
 * function for contiguous f32; the loops that apply them are shared by all ops.
 */
final class ElementwiseKernels {

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
    private static final long GRAIN = 16384;
    /** Bytes with one lane per f32 lane, for bool conditions and comparison results; null when too narrow. */
    private static final VectorSpecies<Byte> B = F.length() * 8 >= 64
            ? VectorSpecies.of(byte.class, VectorShape.forBitSize(F.length() * 8)) : null;

    private ElementwiseKernels() {}

    @FunctionalInterface interface Scalar1 { double apply(double x, double a, double b); }
    @FunctionalInterface interface Scalar2 { double apply(double x, double y); }
    @FunctionalInterface interface Long2 { long apply(long x, long y); }

    // Vector forms are chosen by a code and a switch, not a lambda: a lambda called from the shared
    // loop is megamorphic, C2 cannot inline it, and the Vector API then falls back to slow Java code.
    // Binary codes switch inside the loop (cheap cases only); unary codes pick a loop per code.
    private static final int V_NONE = -1, V_NEG = 0, V_EXP = 1, V_LOG = 2, V_SQRT = 3, V_RSQRT = 4, V_ABS = 5, V_SIN = 6,
            V_COS = 7, V_TANH = 8, V_RELU = 10, V_LEAKY = 11;
    private static final int B_NONE = -1, B_ADD = 0, B_SUB = 1, B_MUL = 2, B_DIV = 3;
    private static final int C_EQ = 10, C_NE = 11, C_LT = 12, C_LE = 13, C_GT = 14, C_GE = 15;

    private static VectorMask<Float> compare(int code, FloatVector x, FloatVector y) {
        return switch (code) {
            case C_EQ -> x.compare(VectorOperators.EQ, y);
            case C_NE -> x.compare(VectorOperators.NE, y);
            case C_LT -> x.compare(VectorOperators.LT, y);
            case C_LE -> x.compare(VectorOperators.LE, y);
            case C_GT -> x.compare(VectorOperators.GT, y);
            case C_GE -> x.compare(VectorOperators.GE, y);
            default -> throw new IllegalStateException("no comparison " + code);
        };
    }

    /**
     * Elements [i0, i1) of x (byte offset xo) through unary code {@code code} into o, vector by
     * vector, returning the first index left for the scalar tail. One loop per code, not one loop
     * around a switch: once the shared loop had seen the transcendental codes (exp, tanh, ...), C2
     * stopped intrinsifying it and every vector was boxed, so relu and neg ran 10x slower in any
     * program that had also called exp (measured: relu over 2.4 M floats 0.45 -> 4.5 ms).
     */
    private static long vector1(int code, MemorySegment xs, long xo, MemorySegment os, long i0, long i1, float a) {
        return switch (code) {
            case V_NEG -> neg(xs, xo, os, i0, i1);
            case V_RELU -> relu(xs, xo, os, i0, i1);
            case V_ABS -> abs(xs, xo, os, i0, i1);
            case V_SQRT -> sqrt(xs, xo, os, i0, i1);
            case V_RSQRT -> rsqrt(xs, xo, os, i0, i1);
            case V_LEAKY -> leaky(xs, xo, os, i0, i1, a);
            case V_EXP -> lanewise(VectorOperators.EXP, xs, xo, os, i0, i1);
            case V_LOG -> lanewise(VectorOperators.LOG, xs, xo, os, i0, i1);
            case V_SIN -> lanewise(VectorOperators.SIN, xs, xo, os, i0, i1);
            case V_COS -> lanewise(VectorOperators.COS, xs, xo, os, i0, i1);
            case V_TANH -> lanewise(VectorOperators.TANH, xs, xo, os, i0, i1);
            default -> throw new IllegalStateException("no vector form " + code);
        };
    }

    private static FloatVector load(MemorySegment s, long byteOff) { return FloatVector.fromMemorySegment(F, s, byteOff, NATIVE); }

    private static long neg(MemorySegment xs, long xo, MemorySegment os, long i, long i1) {
        for (long end = i1 - F.length(); i <= end; i += F.length()) load(xs, xo + i * 4).neg().intoMemorySegment(os, i * 4, NATIVE);
        return i;
    }

    private static long relu(MemorySegment xs, long xo, MemorySegment os, long i, long i1) {
        for (long end = i1 - F.length(); i <= end; i += F.length()) load(xs, xo + i * 4).max(0f).intoMemorySegment(os, i * 4, NATIVE);
        return i;
    }

    private static long abs(MemorySegment xs, long xo, MemorySegment os, long i, long i1) {
        for (long end = i1 - F.length(); i <= end; i += F.length()) load(xs, xo + i * 4).abs().intoMemorySegment(os, i * 4, NATIVE);
        return i;
    }

    private static long sqrt(MemorySegment xs, long xo, MemorySegment os, long i, long i1) {
        for (long end = i1 - F.length(); i <= end; i += F.length()) load(xs, xo + i * 4).sqrt().intoMemorySegment(os, i * 4, NATIVE);
        return i;
    }

    private static long rsqrt(MemorySegment xs, long xo, MemorySegment os, long i, long i1) {
        FloatVector one = FloatVector.broadcast(F, 1f);
        for (long end = i1 - F.length(); i <= end; i += F.length()) one.div(load(xs, xo + i * 4).sqrt()).intoMemorySegment(os, i * 4, NATIVE);
        return i;
    }

    private static long leaky(MemorySegment xs, long xo, MemorySegment os, long i, long i1, float a) {
        for (long end = i1 - F.length(); i <= end; i += F.length()) {
            FloatVector v = load(xs, xo + i * 4);
            v.blend(v.mul(a), v.compare(VectorOperators.LE, 0f)).intoMemorySegment(os, i * 4, NATIVE);
        }
        return i;
    }

    private static long lanewise(VectorOperators.Unary op, MemorySegment xs, long xo, MemorySegment os, long i, long i1) {
        for (long end = i1 - F.length(); i <= end; i += F.length()) load(xs, xo + i * 4).lanewise(op).intoMemorySegment(os, i * 4, NATIVE);
        return i;
    }

    private static FloatVector vector2(int code, FloatVector x, FloatVector y) {
        return switch (code) {
            case B_ADD -> x.add(y);
            case B_SUB -> x.sub(y);
            case B_MUL -> x.mul(y);
            case B_DIV -> x.div(y);
            default -> throw new IllegalStateException("no vector form " + code);
        };
    }

    private static final Set<DType> FLOATS = EnumSet.of(DType.F32, DType.F64);
    private static final Set<DType> NUMERIC = EnumSet.of(DType.F32, DType.F64, DType.I8, DType.U8, DType.I32, DType.I64);
    private static final Set<DType> ALL = EnumSet.allOf(DType.class);

    static void register(KernelTable t) {
        unary(t, NEG, NUMERIC, (x, a, b) -> -x, V_NEG);
        unary(t, EXP, FLOATS, (x, a, b) -> Math.exp(x), V_EXP);
        unary(t, LOG, FLOATS, (x, a, b) -> Math.log(x), V_LOG);
        unary(t, SQRT, FLOATS, (x, a, b) -> Math.sqrt(x), V_SQRT);
        unary(t, RSQRT, FLOATS, (x, a, b) -> 1 / Math.sqrt(x), V_RSQRT);
        unary(t, ABS, NUMERIC, (x, a, b) -> Math.abs(x), V_ABS);
        unary(t, SIGN, NUMERIC, (x, a, b) -> Math.signum(x), V_NONE);
        unary(t, SIN, FLOATS, (x, a, b) -> Math.sin(x), V_SIN);
        unary(t, COS, FLOATS, (x, a, b) -> Math.cos(x), V_COS);
        unary(t, TANH, FLOATS, (x, a, b) -> Math.tanh(x), V_TANH);
        // scalar, in double: the vector form 1 / (1 + exp(-x)) took the Vector API's EXP, which C2
        // compiles to a different approximation than the interpreter's and C1's per-lane Math.exp,
        // so a sigmoid's bits (one ulp in 1.6% of outputs) changed when the JIT compiled it and
        // seeded training runs with a sigmoid or BCE loss drifted apart. Math.exp is the same in
        // every tier.
        unary(t, SIGMOID, FLOATS, (x, a, b) -> sigmoid(x), V_NONE);
        unary(t, RELU, NUMERIC, (x, a, b) -> x > 0 ? x : 0, V_RELU);
        unary(t, LEAKY_RELU, FLOATS, (x, a, b) -> x > 0 ? x : x * a, V_LEAKY);
        unary(t, SILU, FLOATS, (x, a, b) -> x * sigmoid(x), V_NONE);
        unary(t, SOFTPLUS, FLOATS, (x, beta, thr) -> x * beta > thr ? x : Math.log1p(Math.exp(x * beta)) / beta, V_NONE);
        unary(t, CLAMP, NUMERIC, ElementwiseKernels::clamp, V_NONE);
        unary(t, POW_SCALAR, FLOATS, (x, e, b) -> e == 2 ? x * x : Math.pow(x, e), V_NONE);
        unary(t, RECIPROCAL, FLOATS, (x, a, b) -> 1 / x, V_NONE);
        unary(t, ERF, FLOATS, (x, a, b) -> Erf.erf(x), V_NONE);

        binary(t, ADD, NUMERIC, Double::sum, Long::sum, B_ADD);
        binary(t, SUB, NUMERIC, (x, y) -> x - y, (x, y) -> x - y, B_SUB);
        binary(t, MUL, NUMERIC, (x, y) -> x * y, (x, y) -> x * y, B_MUL);
        binary(t, DIV, FLOATS, (x, y) -> x / y, null, B_DIV);
        binary(t, POW, FLOATS, Math::pow, null, B_NONE);
        binary(t, MAXIMUM, NUMERIC, (x, y) -> Double.isNaN(x) || Double.isNaN(y) ? Double.NaN : Math.max(x, y), Math::max, B_NONE);
        binary(t, MINIMUM, NUMERIC, (x, y) -> Double.isNaN(x) || Double.isNaN(y) ? Double.NaN : Math.min(x, y), Math::min, B_NONE);
        binary(t, EQ, ALL, (x, y) -> x == y ? 1 : 0, (x, y) -> x == y ? 1 : 0, C_EQ);
        binary(t, NE, ALL, (x, y) -> x != y ? 1 : 0, (x, y) -> x != y ? 1 : 0, C_NE);
        binary(t, LT, ALL, (x, y) -> x < y ? 1 : 0, (x, y) -> x < y ? 1 : 0, C_LT);
        binary(t, LE, ALL, (x, y) -> x <= y ? 1 : 0, (x, y) -> x <= y ? 1 : 0, C_LE);
        binary(t, GT, ALL, (x, y) -> x > y ? 1 : 0, (x, y) -> x > y ? 1 : 0, C_GT);
        binary(t, GE, ALL, (x, y) -> x >= y ? 1 : 0, (x, y) -> x >= y ? 1 : 0, C_GE);

        t.register(ElementwiseOps.WHERE, ALL, (out, in, attrs) -> where(out[0], in[0], in[1], in[2]));
    }

    /** NaN bounds mean no bound on that side; a NaN input stays NaN. */
    static double clamp(double x, double lo, double hi) {
        double r = x;
        if (!Double.isNaN(lo) && r < lo) r = lo;
        if (!Double.isNaN(hi) && r > hi) r = hi;
        return r;
    }

    static double sigmoid(double x) {
        return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
    }

    // ---------------------------------------------------------------- unary

    private static void unary(KernelTable t, UnaryOp op, Set<DType> dtypes, Scalar1 f, int v) {
        t.register(op, dtypes, (out, in, p) -> unary(out[0], in[0], p, f, v));
    }

    private static void unary(Tensor o, Tensor x, UnaryParams p, Scalar1 f, int v) {
        long n = o.numel();
        if (n == 0) return;
        double a = p.a(), b = p.b();
        MemorySegment os = o.segment(), xs = x.segment();
        DType d = x.dtype();
        if (d == DType.F32 && x.isContiguous() && v != V_NONE) {
            long xo = x.offset() * 4;
            float fa = (float) a;
            CpuParallel.forRange(n, GRAIN, (i0, i1) -> {
                long i = vector1(v, xs, xo, os, i0, i1, fa);
                for (; i < i1; i++) os.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) f.apply(xs.get(ValueLayout.JAVA_FLOAT, xo + i * 4), a, b));
            });
            return;
        }
        StridedIndex ix = new StridedIndex(o.shape(), x);
        int inner = ix.inner;
        CpuParallel.forRange(ix.rows, Math.max(1, GRAIN / Math.max(inner, 1)), (r0, r1) -> {
            long st = ix.innerStride(0);
            for (long row = r0; row < r1; row++) {
                long xi = ix.rowStart(0, row), oi = row * inner;
                if (d == DType.F32) {
                    for (int i = 0; i < inner; i++) {
                        os.setAtIndex(ValueLayout.JAVA_FLOAT, oi + i, (float) f.apply(xs.getAtIndex(ValueLayout.JAVA_FLOAT, xi + i * st), a, b));
                    }
                } else if (d == DType.F64) {
                    for (int i = 0; i < inner; i++) {
                        os.setAtIndex(ValueLayout.JAVA_DOUBLE, oi + i, f.apply(xs.getAtIndex(ValueLayout.JAVA_DOUBLE, xi + i * st), a, b));
                    }
                } else {
                    for (int i = 0; i < inner; i++) ElementIO.set(os, d, oi + i, f.apply(ElementIO.get(xs, d, xi + i * st), a, b));
                }
            }
        });
    }

    // ---------------------------------------------------------------- binary

    private static void binary(KernelTable t, BinaryOp op, Set<DType> dtypes, Scalar2 f, Long2 fl, int v) {
        t.register(op, dtypes, (out, in, attrs) -> binary(out[0], in[0], in[1], f, fl, v));
    }

    private static void binary(Tensor o, Tensor x, Tensor y, Scalar2 f, Long2 fl, int v) {
        long n = o.numel();
        if (n == 0) return;
        MemorySegment os = o.segment(), xs = x.segment(), ys = y.segment();
        DType d = x.dtype(), od = o.dtype();
        int[] shape = o.shape();
        if (d == DType.F32 && od == DType.F32 && v != B_NONE && x.isContiguous() && y.isContiguous()) {
            boolean xFull = Arrays.equals(x.shape(), shape), yFull = Arrays.equals(y.shape(), shape);
            long xo = x.offset() * 4, yo = y.offset() * 4;
            if ((xFull || x.numel() == 1) && (yFull || y.numel() == 1)) {
                float xc = x.numel() == 1 ? xs.get(ValueLayout.JAVA_FLOAT, xo) : 0;
                float yc = y.numel() == 1 ? ys.get(ValueLayout.JAVA_FLOAT, yo) : 0;
                CpuParallel.forRange(n, GRAIN, (i0, i1) -> {
                    // three plain loops rather than one with a vector-valued conditional, which C2 may box
                    long i = i0;
                    int len = F.length();
                    if (xFull && yFull) {
                        for (long end = i1 - len; i <= end; i += len) {
                            vector2(v, FloatVector.fromMemorySegment(F, xs, xo + i * 4, NATIVE),
                                    FloatVector.fromMemorySegment(F, ys, yo + i * 4, NATIVE)).intoMemorySegment(os, i * 4, NATIVE);
                        }
                    } else if (xFull) {
                        FloatVector yb = FloatVector.broadcast(F, yc);
                        for (long end = i1 - len; i <= end; i += len) {
                            vector2(v, FloatVector.fromMemorySegment(F, xs, xo + i * 4, NATIVE), yb).intoMemorySegment(os, i * 4, NATIVE);
                        }
                    } else if (yFull) {
                        FloatVector xb = FloatVector.broadcast(F, xc);
                        for (long end = i1 - len; i <= end; i += len) {
                            vector2(v, xb, FloatVector.fromMemorySegment(F, ys, yo + i * 4, NATIVE)).intoMemorySegment(os, i * 4, NATIVE);
                        }
                    }
                    for (; i < i1; i++) {
                        float a = xFull ? xs.get(ValueLayout.JAVA_FLOAT, xo + i * 4) : xc;
                        float b = yFull ? ys.get(ValueLayout.JAVA_FLOAT, yo + i * 4) : yc;
                        os.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) f.apply(a, b));
                    }
                });
                return;
            }
        }
        if (d == DType.F32 && od == DType.BOOL && v >= C_EQ && B != null && flat(x, shape) && flat(y, shape)) {
            // elementwise over the whole tensor, so short last dimensions (conv maps) still vectorise
            long xo = x.offset(), yo = y.offset(), sx = x.numel() == 1 ? 0 : 1, sy = y.numel() == 1 ? 0 : 1;
            CpuParallel.forRange(n, GRAIN, (i0, i1) -> compareRowF32(v, f, xs, xo + i0 * sx, sx, ys, yo + i0 * sy, sy, os, i0, i1 - i0));
            return;
        }
        StridedIndex ix = new StridedIndex(shape, x, y);
        int inner = ix.inner;
        boolean ints = !d.isFloating() && fl != null;
        CpuParallel.forRange(ix.rows, Math.max(1, GRAIN / Math.max(inner, 1)), (r0, r1) -> {
            long sx = ix.innerStride(0), sy = ix.innerStride(1);
            for (long row = r0; row < r1; row++) {
                long xi = ix.rowStart(0, row), yi = ix.rowStart(1, row), oi = row * inner;
                if (d == DType.F32 && od == DType.F32 && v != B_NONE && v < C_EQ && sx <= 1 && sx >= 0 && sy <= 1 && sy >= 0) {
                    rowF32(v, f, xs, xi, sx, ys, yi, sy, os, oi, inner);
                } else if (d == DType.F32 && od == DType.BOOL && v >= C_EQ && B != null && sx <= 1 && sx >= 0 && sy <= 1 && sy >= 0) {
                    compareRowF32(v, f, xs, xi, sx, ys, yi, sy, os, oi, inner);
                } else if (d == DType.F32 && od == DType.F32) {
                    for (int i = 0; i < inner; i++) {
                        float a = xs.getAtIndex(ValueLayout.JAVA_FLOAT, xi + i * sx), b = ys.getAtIndex(ValueLayout.JAVA_FLOAT, yi + i * sy);
                        os.setAtIndex(ValueLayout.JAVA_FLOAT, oi + i, (float) f.apply(a, b));
                    }
                } else if (d == DType.F64 && od == DType.F64) {
                    for (int i = 0; i < inner; i++) {
                        double a = xs.getAtIndex(ValueLayout.JAVA_DOUBLE, xi + i * sx), b = ys.getAtIndex(ValueLayout.JAVA_DOUBLE, yi + i * sy);
                        os.setAtIndex(ValueLayout.JAVA_DOUBLE, oi + i, f.apply(a, b));
                    }
                } else if (d == DType.F32 && od == DType.BOOL) {
                    for (int i = 0; i < inner; i++) {
                        double r = f.apply(xs.getAtIndex(ValueLayout.JAVA_FLOAT, xi + i * sx), ys.getAtIndex(ValueLayout.JAVA_FLOAT, yi + i * sy));
                        os.set(ValueLayout.JAVA_BYTE, oi + i, (byte) (r != 0 ? 1 : 0));
                    }
                } else if (ints) {
                    for (int i = 0; i < inner; i++) {
                        ElementIO.setLong(os, od, oi + i, fl.apply(ElementIO.getLong(xs, d, xi + i * sx), ElementIO.getLong(ys, d, yi + i * sy)));
                    }
                } else {
                    for (int i = 0; i < inner; i++) {
                        ElementIO.set(os, od, oi + i, f.apply(ElementIO.get(xs, d, xi + i * sx), ElementIO.get(ys, d, yi + i * sy)));
                    }
                }
            }
        });
    }

    /** One row of a broadcast f32 op whose inputs step by 1 (or 0: one value for the row) along it. */
    private static void rowF32(int v, Scalar2 f, MemorySegment xs, long xi, long sx, MemorySegment ys, long yi, long sy,
                               MemorySegment os, long oi, int inner) {
        int i = 0, len = F.length();
        if (sx == 1 && sy == 1) {
            for (; i <= inner - len; i += len) {
                vector2(v, FloatVector.fromMemorySegment(F, xs, (xi + i) * 4, NATIVE),
                        FloatVector.fromMemorySegment(F, ys, (yi + i) * 4, NATIVE)).intoMemorySegment(os, (oi + i) * 4, NATIVE);
            }
        } else if (sx == 1) {
            FloatVector yb = FloatVector.broadcast(F, ys.getAtIndex(ValueLayout.JAVA_FLOAT, yi));
            for (; i <= inner - len; i += len) {
                vector2(v, FloatVector.fromMemorySegment(F, xs, (xi + i) * 4, NATIVE), yb).intoMemorySegment(os, (oi + i) * 4, NATIVE);
            }
        } else if (sy == 1) {
            FloatVector xb = FloatVector.broadcast(F, xs.getAtIndex(ValueLayout.JAVA_FLOAT, xi));
            for (; i <= inner - len; i += len) {
                vector2(v, xb, FloatVector.fromMemorySegment(F, ys, (yi + i) * 4, NATIVE)).intoMemorySegment(os, (oi + i) * 4, NATIVE);
            }
        }
        for (; i < inner; i++) {
            float a = xs.getAtIndex(ValueLayout.JAVA_FLOAT, xi + i * sx), b = ys.getAtIndex(ValueLayout.JAVA_FLOAT, yi + i * sy);
            os.setAtIndex(ValueLayout.JAVA_FLOAT, oi + i, (float) f.apply(a, b));
        }
    }

    /** Contiguous with the output's shape, or a single value: it can be walked as one flat row. */
    private static boolean flat(Tensor t, int[] shape) {
        return t.numel() == 1 || (t.isContiguous() && Arrays.equals(t.shape(), shape));
    }

    /** A row of an f32 comparison into bool; inputs step by 1 or 0 along it (element offsets). */
    private static void compareRowF32(int v, Scalar2 f, MemorySegment xs, long xi, long sx, MemorySegment ys, long yi, long sy,
                                      MemorySegment os, long oi, long count) {
        long i = 0;
        int len = F.length();
        ByteVector zero = ByteVector.zero(B);
        if (sx == 1 && sy == 1) {
            for (; i <= count - len; i += len) {
                VectorMask<Float> m = compare(v, FloatVector.fromMemorySegment(F, xs, (xi + i) * 4, NATIVE),
                        FloatVector.fromMemorySegment(F, ys, (yi + i) * 4, NATIVE));
                zero.blend((byte) 1, m.cast(B)).intoMemorySegment(os, oi + i, NATIVE);
            }
        } else if (sx == 1) {
            FloatVector yb = FloatVector.broadcast(F, ys.getAtIndex(ValueLayout.JAVA_FLOAT, yi));
            for (; i <= count - len; i += len) {
                VectorMask<Float> m = compare(v, FloatVector.fromMemorySegment(F, xs, (xi + i) * 4, NATIVE), yb);
                zero.blend((byte) 1, m.cast(B)).intoMemorySegment(os, oi + i, NATIVE);
            }
        } else if (sy == 1) {
            FloatVector xb = FloatVector.broadcast(F, xs.getAtIndex(ValueLayout.JAVA_FLOAT, xi));
            for (; i <= count - len; i += len) {
                VectorMask<Float> m = compare(v, xb, FloatVector.fromMemorySegment(F, ys, (yi + i) * 4, NATIVE));
                zero.blend((byte) 1, m.cast(B)).intoMemorySegment(os, oi + i, NATIVE);
            }
        }
        for (; i < count; i++) {
            double r = f.apply(xs.getAtIndex(ValueLayout.JAVA_FLOAT, xi + i * sx), ys.getAtIndex(ValueLayout.JAVA_FLOAT, yi + i * sy));
            os.set(ValueLayout.JAVA_BYTE, oi + i, (byte) (r != 0 ? 1 : 0));
        }
    }

    // ---------------------------------------------------------------- where

    private static void where(Tensor o, Tensor c, Tensor x, Tensor y) {
        long n = o.numel();
        if (n == 0) return;
        MemorySegment os = o.segment(), cs = c.segment(), xs = x.segment(), ys = y.segment();
        DType d = o.dtype();
        boolean ints = !d.isFloating();
        int[] shape = o.shape();
        if (d == DType.F32 && B != null && c.isContiguous() && Arrays.equals(c.shape(), shape) && flat(x, shape) && flat(y, shape)) {
            long co = c.offset(), xo = x.offset(), yo = y.offset(), sx = x.numel() == 1 ? 0 : 1, sy = y.numel() == 1 ? 0 : 1;
            CpuParallel.forRange(n, GRAIN, (i0, i1) -> whereRowF32(cs, co + i0, xs, xo + i0 * sx, sx, ys, yo + i0 * sy, sy, os, i0, i1 - i0));
            return;
        }
        StridedIndex ix = new StridedIndex(shape, c, x, y);
        int inner = ix.inner;
        CpuParallel.forRange(ix.rows, Math.max(1, GRAIN / Math.max(inner, 1)), (r0, r1) -> {
            long sc = ix.innerStride(0), sx = ix.innerStride(1), sy = ix.innerStride(2);
            for (long row = r0; row < r1; row++) {
                long ci = ix.rowStart(0, row), xi = ix.rowStart(1, row), yi = ix.rowStart(2, row), oi = row * inner;
                if (d == DType.F32 && B != null && sc == 1 && sx >= 0 && sx <= 1 && sy >= 0 && sy <= 1) {
                    whereRowF32(cs, ci, xs, xi, sx, ys, yi, sy, os, oi, inner);
                    continue;
                }
                if (d == DType.F32) {
                    for (int i = 0; i < inner; i++) {
                        boolean take = cs.get(ValueLayout.JAVA_BYTE, ci + i * sc) != 0;
                        os.setAtIndex(ValueLayout.JAVA_FLOAT, oi + i, take ? xs.getAtIndex(ValueLayout.JAVA_FLOAT, xi + i * sx)
                                : ys.getAtIndex(ValueLayout.JAVA_FLOAT, yi + i * sy));
                    }
                    continue;
                }
                for (int i = 0; i < inner; i++) {
                    boolean take = cs.get(ValueLayout.JAVA_BYTE, ci + i * sc) != 0;
                    if (ints) {
                        ElementIO.setLong(os, d, oi + i, take ? ElementIO.getLong(xs, d, xi + i * sx) : ElementIO.getLong(ys, d, yi + i * sy));
                    } else {
                        ElementIO.set(os, d, oi + i, take ? ElementIO.get(xs, d, xi + i * sx) : ElementIO.get(ys, d, yi + i * sy));
                    }
                }
            }
        });
    }

    /** A row of an f32 where: the condition steps by 1, the values by 1 or 0 (element offsets). */
    private static void whereRowF32(MemorySegment cs, long ci, MemorySegment xs, long xi, long sx, MemorySegment ys, long yi, long sy,
                                    MemorySegment os, long oi, long count) {
        long i = 0;
        int len = F.length();
        if (sx == 1 && sy == 1) {
            for (; i <= count - len; i += len) {
                VectorMask<Float> m = ByteVector.fromMemorySegment(B, cs, ci + i, NATIVE).compare(VectorOperators.NE, (byte) 0).cast(F);
                FloatVector.fromMemorySegment(F, ys, (yi + i) * 4, NATIVE)
                        .blend(FloatVector.fromMemorySegment(F, xs, (xi + i) * 4, NATIVE), m).intoMemorySegment(os, (oi + i) * 4, NATIVE);
            }
        } else if (sx == 1) {
            FloatVector yb = FloatVector.broadcast(F, ys.getAtIndex(ValueLayout.JAVA_FLOAT, yi));
            for (; i <= count - len; i += len) {
                VectorMask<Float> m = ByteVector.fromMemorySegment(B, cs, ci + i, NATIVE).compare(VectorOperators.NE, (byte) 0).cast(F);
                yb.blend(FloatVector.fromMemorySegment(F, xs, (xi + i) * 4, NATIVE), m).intoMemorySegment(os, (oi + i) * 4, NATIVE);
            }
        } else if (sy == 1) {
            FloatVector xb = FloatVector.broadcast(F, xs.getAtIndex(ValueLayout.JAVA_FLOAT, xi));
            for (; i <= count - len; i += len) {
                VectorMask<Float> m = ByteVector.fromMemorySegment(B, cs, ci + i, NATIVE).compare(VectorOperators.NE, (byte) 0).cast(F);
                FloatVector.fromMemorySegment(F, ys, (yi + i) * 4, NATIVE).blend(xb, m).intoMemorySegment(os, (oi + i) * 4, NATIVE);
            }
        }
        for (; i < count; i++) {
            boolean take = cs.get(ValueLayout.JAVA_BYTE, ci + i) != 0;
            os.setAtIndex(ValueLayout.JAVA_FLOAT, oi + i, take ? xs.getAtIndex(ValueLayout.JAVA_FLOAT, xi + i * sx)
                    : ys.getAtIndex(ValueLayout.JAVA_FLOAT, yi + i * sy));
        }
    }
}
