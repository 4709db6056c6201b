package dev.ember.core;

import java.util.Arrays;

/** Renders a tensor as {@code tensor(shape=[2, 3], dtype=f32, device=cpu)} with abbreviated values. */
final class TensorFormat {

    private static final int EDGE = 3;      // values shown at each end of a long dimension
    private static final int LIMIT = 1000;  // above this many elements, dimensions are abbreviated

    private TensorFormat() {}

    static String format(Tensor t) {
        StringBuilder sb = new StringBuilder("tensor(shape=").append(Arrays.toString(t.shape()))
                .append(", dtype=").append(t.dtype()).append(", device=").append(t.device());
        if (t.requiresGrad()) sb.append(", requiresGrad");
        if (t.gradFn() != null) sb.append(", gradFn=").append(t.gradFn());
        sb.append(")");
        if (t.storage().isReleased()) return sb.append(" <released>").toString();
        double[] v;
        try {
            v = t.toDoubleArray();
        } catch (RuntimeException e) {
            return sb.append(" <values unavailable: ").append(e.getMessage()).append(">").toString();
        }
        sb.append('\n');
        boolean abbreviate = v.length > LIMIT;
        appendDim(sb, t, v, 0, 0, abbreviate, 0);
        return sb.toString();
    }

    private static void appendDim(StringBuilder sb, Tensor t, double[] v, int dim, int base, boolean abbr, int indent) {
        int[] shape = t.shape();
        if (shape.length == 0) {
            sb.append(value(t.dtype(), v[0]));
            return;
        }
        int n = shape[dim];
        int stride = 1;
        for (int i = dim + 1; i < shape.length; i++) stride *= shape[i];
        sb.append('[');
        for (int i = 0; i < n; i++) {
            if (abbr && n > 2 * EDGE && i == EDGE) {
                sb.append(dim == shape.length - 1 ? "..., " : "...,\n" + " ".repeat(indent + 1));
                i = n - EDGE - 1;
                continue;
            }
            if (dim == shape.length - 1) {
                sb.append(value(t.dtype(), v[base + i]));
            } else {
                appendDim(sb, t, v, dim + 1, base + i * stride, abbr, indent + 1);
            }
            if (i < n - 1) sb.append(dim == shape.length - 1 ? ", " : ",\n" + " ".repeat(indent + 1));
        }
        sb.append(']');
    }

    private static String value(DType d, double x) {
        if (d == DType.BOOL) return x != 0 ? "true" : "false";
        if (!d.isFloating()) return Long.toString((long) x);
        if (x == Math.rint(x) && Math.abs(x) < 1e7) return String.format("%.1f", x);
        return String.format("%.4g", x);
    }
}
