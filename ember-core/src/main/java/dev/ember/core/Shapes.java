package dev.ember.core;

import java.util.Arrays;

/** Shape arithmetic shared by the op declarations: sizes, strides, broadcasting, axes. */
public final class Shapes {

    private Shapes() {}

    public static long numel(int[] shape) {
        long n = 1;
        for (int s : shape) n *= s;
        return n;
    }

    public static long[] contiguousStrides(int[] shape) {
        long[] st = new long[shape.length];
        long s = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            st[i] = s;
            s *= shape[i];
        }
        return st;
    }

    /** NumPy broadcasting; the error names the op and both shapes. */
    public static int[] broadcast(String op, int[] a, int[] b) {
        int n = Math.max(a.length, b.length);
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            int da = i - (n - a.length) >= 0 ? a[i - (n - a.length)] : 1;
            int db = i - (n - b.length) >= 0 ? b[i - (n - b.length)] : 1;
            if (da != db && da != 1 && db != 1) {
                throw new IllegalArgumentException(op + ": shapes " + Arrays.toString(a) + " and " + Arrays.toString(b)
                        + " cannot be broadcast together (dimension " + i + ": " + da + " vs " + db + ")");
            }
            out[i] = da == 1 ? db : da;
        }
        return out;
    }

    /** Normalises a possibly negative axis against {@code rank}; the error names the op. */
    public static int axis(String op, int axis, int rank) {
        int r = Math.max(rank, 1);
        if (axis < -r || axis >= r) {
            throw new IllegalArgumentException(op + ": dimension " + axis + " is out of range for a tensor of rank " + rank
                    + " (expected " + (-r) + " to " + (r - 1) + ")");
        }
        return axis < 0 ? axis + r : axis;
    }

    /** Normalised, sorted, distinct axes; null or empty means all axes. */
    public static int[] axes(String op, int[] axes, int rank) {
        if (axes == null || axes.length == 0) {
            int[] all = new int[rank];
            for (int i = 0; i < rank; i++) all[i] = i;
            return all;
        }
        int[] r = new int[axes.length];
        for (int i = 0; i < axes.length; i++) r[i] = axis(op, axes[i], rank);
        Arrays.sort(r);
        for (int i = 1; i < r.length; i++) {
            if (r[i] == r[i - 1]) throw new IllegalArgumentException(op + ": dimension " + r[i] + " appears twice in " + Arrays.toString(axes));
        }
        return r;
    }

    /** The shape after reducing {@code axes} (sorted, normalised). */
    public static int[] reduced(int[] shape, int[] axes, boolean keepDim) {
        boolean[] red = new boolean[shape.length];
        for (int a : axes) red[a] = true;
        int n = 0;
        for (int i = 0; i < shape.length; i++) if (!red[i] || keepDim) n++;
        int[] out = new int[n];
        int k = 0;
        for (int i = 0; i < shape.length; i++) {
            if (!red[i]) out[k++] = shape[i];
            else if (keepDim) out[k++] = 1;
        }
        return out;
    }

    public static String str(int[] shape) { return Arrays.toString(shape); }

    /**
     * For a reduction kernel: the permutation that moves the (sorted) reduced {@code axes} after
     * the kept dimensions, or null when they are already adjacent, so that a contiguous input
     * can be read as [outer, reduced, inner].
     */
    public static int[] reducedAxesLast(int rank, int[] axes) {
        boolean adjacent = true;
        for (int i = 1; i < axes.length; i++) adjacent &= axes[i] == axes[i - 1] + 1;
        if (adjacent) return null;
        int[] perm = new int[rank];
        boolean[] red = new boolean[rank];
        for (int ax : axes) red[ax] = true;
        int k = 0;
        for (int i = 0; i < rank; i++) if (!red[i]) perm[k++] = i;
        for (int ax : axes) perm[k++] = ax;
        return perm;
    }

    /** The last {@code count} axes of a tensor of rank {@code rank}. */
    public static int[] lastAxes(int rank, int count) {
        int[] tail = new int[count];
        for (int i = 0; i < count; i++) tail[i] = rank - count + i;
        return tail;
    }

    /** [outer, reduced, inner] sizes of {@code shape} around the adjacent reduced {@code axes}. */
    public static long[] outerReducedInner(int[] shape, int[] axes) {
        long outer = 1, reduced = 1, inner = 1;
        int first = axes.length == 0 ? shape.length : axes[0], last = axes.length == 0 ? shape.length - 1 : axes[axes.length - 1];
        for (int i = 0; i < shape.length; i++) {
            if (i < first) outer *= shape[i];
            else if (i <= last) reduced *= shape[i];
            else inner *= shape[i];
        }
        return new long[] {outer, reduced, inner};
    }

    /** {@code shape} reordered by {@code perm}. */
    public static int[] permuted(int[] shape, int[] perm) {
        int[] r = new int[perm.length];
        for (int i = 0; i < perm.length; i++) r[i] = shape[perm[i]];
        return r;
    }
}
