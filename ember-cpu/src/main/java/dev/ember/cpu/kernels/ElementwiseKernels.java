package dev.ember.cpu.kernels;

import dev.ember.core.DType;
import dev.ember.core.Tensor;
import dev.ember.core.backend.KernelTable;
import dev.ember.core.ops.BinaryOp;
import dev.ember.core.ops.ElementwiseOps;
import dev.ember.core.ops.UnaryOp;
import dev.ember.core.ops.UnaryParams;
import dev.ember.cpu.CpuParallel;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
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

    private ElementwiseKernels() {}

    @FunctionalInterface interface Scalar1 { double apply(double x, double a, double b); }
    @FunctionalInterface interface Vector1 { FloatVector apply(FloatVector x, float a, float b); }
    @FunctionalInterface interface Scalar2 { double apply(double x, double y); }
    @FunctionalInterface interface Long2 { long apply(long x, long y); }
    @FunctionalInterface interface Vector2 { FloatVector apply(FloatVector x, FloatVector y); }

    private static final Set<DType> FLOATS = EnumSet.of(DType.F32, DType.F64);
    private static final Set<DType> NUMERIC = EnumSet.of(DType.F32, DType.F64, DType.I8, DType.U8, DType.I32, DType.I64);
    private static final Set<DType> ALL = EnumSet.allOf(DType.class);

    static void register(KernelTable t) {
        unary(t, NEG, NUMERIC, (x, a, b) -> -x, (v, a, b) -> v.neg());
        unary(t, EXP, FLOATS, (x, a, b) -> Math.exp(x), (v, a, b) -> v.lanewise(VectorOperators.EXP));
        unary(t, LOG, FLOATS, (x, a, b) -> Math.log(x), (v, a, b) -> v.lanewise(VectorOperators.LOG));
        unary(t, SQRT, FLOATS, (x, a, b) -> Math.sqrt(x), (v, a, b) -> v.sqrt());
        unary(t, RSQRT, FLOATS, (x, a, b) -> 1 / Math.sqrt(x), (v, a, b) -> FloatVector.broadcast(F, 1f).div(v.sqrt()));
        unary(t, ABS, NUMERIC, (x, a, b) -> Math.abs(x), (v, a, b) -> v.abs());
        unary(t, SIGN, NUMERIC, (x, a, b) -> Math.signum(x), null);
        unary(t, SIN, FLOATS, (x, a, b) -> Math.sin(x), (v, a, b) -> v.lanewise(VectorOperators.SIN));
        unary(t, COS, FLOATS, (x, a, b) -> Math.cos(x), (v, a, b) -> v.lanewise(VectorOperators.COS));
        unary(t, TANH, FLOATS, (x, a, b) -> Math.tanh(x), (v, a, b) -> v.lanewise(VectorOperators.TANH));
        unary(t, SIGMOID, FLOATS, (x, a, b) -> sigmoid(x),
                (v, a, b) -> FloatVector.broadcast(F, 1f).div(v.neg().lanewise(VectorOperators.EXP).add(1f)));
        unary(t, RELU, NUMERIC, (x, a, b) -> x > 0 ? x : 0, (v, a, b) -> v.max(0f));
        unary(t, LEAKY_RELU, FLOATS, (x, a, b) -> x > 0 ? x : x * a, (v, a, b) -> v.blend(v.mul(a), v.compare(VectorOperators.LE, 0f)));
        unary(t, SILU, FLOATS, (x, a, b) -> x * sigmoid(x), null);
        unary(t, SOFTPLUS, FLOATS, (x, beta, thr) -> x * beta > thr ? x : Math.log1p(Math.exp(x * beta)) / beta, null);
        unary(t, CLAMP, NUMERIC, ElementwiseKernels::clamp, null);
        unary(t, POW_SCALAR, FLOATS, (x, e, b) -> e == 2 ? x * x : Math.pow(x, e), null);
        unary(t, RECIPROCAL, FLOATS, (x, a, b) -> 1 / x, null);
        unary(t, ERF, FLOATS, (x, a, b) -> Erf.erf(x), null);

        binary(t, ADD, NUMERIC, Double::sum, Long::sum, FloatVector::add);
        binary(t, SUB, NUMERIC, (x, y) -> x - y, (x, y) -> x - y, FloatVector::sub);
        binary(t, MUL, NUMERIC, (x, y) -> x * y, (x, y) -> x * y, FloatVector::mul);
        binary(t, DIV, FLOATS, (x, y) -> x / y, null, FloatVector::div);
        binary(t, POW, FLOATS, Math::pow, null, null);
        binary(t, MAXIMUM, NUMERIC, (x, y) -> Double.isNaN(x) || Double.isNaN(y) ? Double.NaN : Math.max(x, y), Math::max, null);
        binary(t, MINIMUM, NUMERIC, (x, y) -> Double.isNaN(x) || Double.isNaN(y) ? Double.NaN : Math.min(x, y), Math::min, null);
        binary(t, EQ, ALL, (x, y) -> x == y ? 1 : 0, (x, y) -> x == y ? 1 : 0, null);
        binary(t, NE, ALL, (x, y) -> x != y ? 1 : 0, (x, y) -> x != y ? 1 : 0, null);
        binary(t, LT, ALL, (x, y) -> x < y ? 1 : 0, (x, y) -> x < y ? 1 : 0, null);
        binary(t, LE, ALL, (x, y) -> x <= y ? 1 : 0, (x, y) -> x <= y ? 1 : 0, null);
        binary(t, GT, ALL, (x, y) -> x > y ? 1 : 0, (x, y) -> x > y ? 1 : 0, null);
        binary(t, GE, ALL, (x, y) -> x >= y ? 1 : 0, (x, y) -> x >= y ? 1 : 0, null);

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

    private static void unary(KernelTable t, UnaryOp op, Set<DType> dtypes, Scalar1 f, Vector1 v) {
        t.register(op, dtypes, (out, in, p) -> unary(out[0], in[0], p, f, v));
    }

    private static void unary(Tensor o, Tensor x, UnaryParams p, Scalar1 f, Vector1 v) {
        long n = o.numel();
        if (n == 0) return;
        double a = p.a(), b = p.b();
        MemorySegment os = o.segment(), xs = x.segment();
        DType d = x.dtype();
        if (d == DType.F32 && x.isContiguous() && v != null) {
            long xo = x.offset() * 4;
            float fa = (float) a, fb = (float) b;
            CpuParallel.forRange(n, GRAIN, (i0, i1) -> {
                long i = i0;
                for (long end = i1 - F.length(); i <= end; i += F.length()) {
                    v.apply(FloatVector.fromMemorySegment(F, xs, xo + i * 4, NATIVE), fa, fb).intoMemorySegment(os, i * 4, NATIVE);
                }
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

    private static void binary(KernelTable t, BinaryOp op, Set<DType> dtypes, Scalar2 f, Long2 fl, Vector2 v) {
        t.register(op, dtypes, (out, in, attrs) -> binary(out[0], in[0], in[1], f, fl, v));
    }

    private static void binary(Tensor o, Tensor x, Tensor y, Scalar2 f, Long2 fl, Vector2 v) {
        long n = o.numel();
        if (n == 0) return;
        MemorySegment os = o.segment(), xs = x.segment(), ys = y.segment();
        DType d = x.dtype(), od = o.dtype();
        int[] shape = o.shape();
        if (d == DType.F32 && od == DType.F32 && v != null && x.isContiguous() && y.isContiguous()) {
            boolean xFull = Arrays.equals(x.shape(), shape), yFull = Arrays.equals(y.shape(), shape);
            long xo = x.offset() * 4, yo = y.offset() * 4;
            if ((xFull || x.numel() == 1) && (yFull || y.numel() == 1)) {
                float xc = x.numel() == 1 ? xs.get(ValueLayout.JAVA_FLOAT, xo) : 0;
                float yc = y.numel() == 1 ? ys.get(ValueLayout.JAVA_FLOAT, yo) : 0;
                CpuParallel.forRange(n, GRAIN, (i0, i1) -> {
                    FloatVector xb = FloatVector.broadcast(F, xc), yb = FloatVector.broadcast(F, yc);
                    long i = i0;
                    for (long end = i1 - F.length(); i <= end; i += F.length()) {
                        FloatVector a = xFull ? FloatVector.fromMemorySegment(F, xs, xo + i * 4, NATIVE) : xb;
                        FloatVector b = yFull ? FloatVector.fromMemorySegment(F, ys, yo + i * 4, NATIVE) : yb;
                        v.apply(a, b).intoMemorySegment(os, i * 4, NATIVE);
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
        StridedIndex ix = new StridedIndex(shape, x, y);
        int inner = ix.inner;
        boolean ints = !d.isFloating() && fl != null;
        CpuParallel.forRange(ix.rows, Math.max(1, GRAIN / Math.max(inner, 1)), (r0, r1) -> {
            long sx = ix.innerStride(0), sy = ix.innerStride(1);
            for (long row = r0; row < r1; row++) {
                long xi = ix.rowStart(0, row), yi = ix.rowStart(1, row), oi = row * inner;
                if (d == DType.F32 && od == DType.F32) {
                    for (int i = 0; i < inner; i++) {
                        float a = xs.getAtIndex(ValueLayout.JAVA_FLOAT, xi + i * sx), b = ys.getAtIndex(ValueLayout.JAVA_FLOAT, yi + i * sy);
                        os.setAtIndex(ValueLayout.JAVA_FLOAT, oi + i, (float) f.apply(a, b));
                    }
                } else if (d == DType.F64 && od == DType.F64) {
                    for (int i = 0; i < inner; i++) {
                        double a = xs.getAtIndex(ValueLayout.JAVA_DOUBLE, xi + i * sx), b = ys.getAtIndex(ValueLayout.JAVA_DOUBLE, yi + i * sy);
                        os.setAtIndex(ValueLayout.JAVA_DOUBLE, oi + i, f.apply(a, b));
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

    // ---------------------------------------------------------------- where

    private static void where(Tensor o, Tensor c, Tensor x, Tensor y) {
        if (o.numel() == 0) return;
        MemorySegment os = o.segment(), cs = c.segment(), xs = x.segment(), ys = y.segment();
        DType d = o.dtype();
        boolean ints = !d.isFloating();
        StridedIndex ix = new StridedIndex(o.shape(), c, x, y);
        int inner = ix.inner;
        CpuParallel.forRange(ix.rows, Math.max(1, GRAIN / Math.max(inner, 1)), (r0, r1) -> {
            long sc = ix.innerStride(0), sx = ix.innerStride(1), sy = ix.innerStride(2);
            for (long row = r0; row < r1; row++) {
                long ci = ix.rowStart(0, row), xi = ix.rowStart(1, row), yi = ix.rowStart(2, row), oi = row * inner;
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
}
