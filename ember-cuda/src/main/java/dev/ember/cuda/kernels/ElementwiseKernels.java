package dev.ember.cuda.kernels;

import dev.ember.core.DType;
import dev.ember.core.Tensor;
import dev.ember.core.backend.KernelTable;
import dev.ember.core.ops.BinaryOp;
import dev.ember.core.ops.ElementwiseOps;
import dev.ember.core.ops.UnaryOp;
import dev.ember.cuda.CudaBackend;

import java.util.EnumSet;
import java.util.Set;

import static dev.ember.core.ops.ElementwiseOps.*;

/** Unary, binary (broadcast, any input strides), comparisons and where, from elementwise.cu. */
final class ElementwiseKernels {

    private ElementwiseKernels() {}

    static final Set<DType> FLOATS = EnumSet.of(DType.F32, DType.F64);
    static final Set<DType> NUMERIC = EnumSet.of(DType.F32, DType.F64, DType.I8, DType.U8, DType.I32, DType.I64);
    static final Set<DType> COMPARABLE = EnumSet.of(DType.F32, DType.F64, DType.I8, DType.U8, DType.I32, DType.I64, DType.BOOL);

    static void register(KernelTable t, CudaBackend b) {
        for (UnaryOp op : new UnaryOp[] {NEG, ABS, SIGN, RELU, CLAMP}) unary(t, b, op, NUMERIC);
        for (UnaryOp op : new UnaryOp[] {EXP, LOG, SQRT, RSQRT, SIN, COS, TANH, SIGMOID, LEAKY_RELU, SILU, SOFTPLUS,
                POW_SCALAR, RECIPROCAL, ERF}) {
            unary(t, b, op, FLOATS);
        }
        for (BinaryOp op : new BinaryOp[] {ADD, SUB, MUL, MAXIMUM, MINIMUM}) binary(t, b, op, NUMERIC);
        binary(t, b, DIV, FLOATS);
        binary(t, b, POW, FLOATS);
        for (BinaryOp op : new BinaryOp[] {EQ, NE, LT, LE, GT, GE}) binary(t, b, op, COMPARABLE);
        // where is keyed by its bool condition; the kernel is chosen by the values' dtype
        t.register(ElementwiseOps.WHERE, EnumSet.allOf(DType.class), (out, in, a) -> {
            Tensor o = out[0];
            long n = o.numel();
            if (n == 0) return;
            Launch.device(b, o).launch("elementwise_where_" + Launch.name(o.dtype()), Launch.grid(n), Launch.BLOCK, 0,
                    n, Launch.layout(o.shape(), in[0], in[1], in[2]), Launch.ptr(in[0]), Launch.ptr(in[1]), Launch.ptr(in[2]),
                    Launch.ptr(o));
        });
    }

    private static void unary(KernelTable t, CudaBackend b, UnaryOp op, Set<DType> dtypes) {
        t.register(op, dtypes, (out, in, p) -> {
            Tensor o = out[0], x = in[0];
            long n = o.numel();
            if (n == 0) return;
            Launch.device(b, o).launch("elementwise_" + op.name() + "_" + Launch.name(x.dtype()), Launch.grid(n), Launch.BLOCK, 0,
                    n, Launch.layout(o.shape(), x), Launch.ptr(x), Launch.ptr(o), p.a(), p.b());
        });
    }

    private static void binary(KernelTable t, CudaBackend b, BinaryOp op, Set<DType> dtypes) {
        t.register(op, dtypes, (out, in, attrs) -> {
            Tensor o = out[0];
            long n = o.numel();
            if (n == 0) return;
            Launch.device(b, o).launch("elementwise_" + op.name() + "_" + Launch.name(in[0].dtype()), Launch.grid(n), Launch.BLOCK, 0,
                    n, Launch.layout(o.shape(), in[0], in[1]), Launch.ptr(in[0]), Launch.ptr(in[1]), Launch.ptr(o));
        });
    }
}
