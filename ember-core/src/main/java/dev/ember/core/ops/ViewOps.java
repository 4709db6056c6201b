package dev.ember.core.ops;

import dev.ember.core.Shapes;
import dev.ember.core.Tensor;
import dev.ember.core.dispatch.Dispatcher;

import java.util.Arrays;

/** Views: new shape, strides or offset over the same memory, with their derivatives. */
public final class ViewOps {

    private ViewOps() {}

    public record SliceAttrs(int dim, int start, int end, int step) {}

    /** The input's shape and the slice it was cut from, for scattering a gradient back. */
    public record ScatterSliceAttrs(int[] shape, int dim, int start, int end, int step) {}

    public static final ViewOp<int[]> VIEW = new ViewOp<>("view") {
        @Override
        public Tensor makeView(Tensor x, int[] shape) {
            long[] st = viewStrides(x.shape(), x.strides(), shape);
            if (st == null) {
                throw new IllegalArgumentException("view: shape " + Arrays.toString(shape) + " is incompatible with the input's shape "
                        + Arrays.toString(x.shape()) + " and strides " + Arrays.toString(x.strides())
                        + " (at least one dimension spans non-adjacent memory); use reshape(...) instead");
            }
            return Tensor.of(x.storage(), x.offset(), shape, st, x.dtype());
        }

        @Override
        public Tensor[] vjp(VjpContext<int[]> c) { return new Tensor[] {c.grad(0).reshape(c.input(0).shape())}; }
    };

    public static final ViewOp<int[]> PERMUTE = new ViewOp<>("permute") {
        @Override
        public Tensor makeView(Tensor x, int[] dims) {
            int[] shape = x.shape();
            long[] strides = x.strides();
            int[] ns = new int[dims.length];
            long[] nst = new long[dims.length];
            for (int i = 0; i < dims.length; i++) {
                ns[i] = shape[dims[i]];
                nst[i] = strides[dims[i]];
            }
            return Tensor.of(x.storage(), x.offset(), ns, nst, x.dtype());
        }

        @Override
        public Tensor[] vjp(VjpContext<int[]> c) {
            int[] d = c.attrs();
            int[] inv = new int[d.length];
            for (int i = 0; i < d.length; i++) inv[d[i]] = i;
            return new Tensor[] {c.grad(0).permute(inv)};
        }
    };

    public static final ViewOp<SliceAttrs> SLICE = new ViewOp<>("slice") {
        @Override
        public Tensor makeView(Tensor x, SliceAttrs a) {
            int[] shape = x.shape();
            long[] st = x.strides();
            int len = Math.max(0, (a.end() - a.start() + a.step() - 1) / a.step());
            long off = x.offset() + (long) a.start() * st[a.dim()];
            shape[a.dim()] = len;
            st[a.dim()] *= a.step();
            return Tensor.of(x.storage(), off, shape, st, x.dtype());
        }

        @Override
        public Tensor[] vjp(VjpContext<SliceAttrs> c) {
            SliceAttrs a = c.attrs();
            return new Tensor[] {scatterSlice(c.grad(0), c.input(0).shape(), a.dim(), a.start(), a.end(), a.step())};
        }
    };

    /** select(dim, i) = slice(dim, i, i + 1) without the dimension. */
    public static final ViewOp<int[]> SELECT = new ViewOp<>("select") {
        @Override
        public Tensor makeView(Tensor x, int[] dimIndex) {
            int dim = dimIndex[0], index = dimIndex[1];
            int[] shape = x.shape();
            long[] st = x.strides();
            long off = x.offset() + (long) index * st[dim];
            int[] ns = new int[shape.length - 1];
            long[] nst = new long[shape.length - 1];
            for (int i = 0, k = 0; i < shape.length; i++) {
                if (i == dim) continue;
                ns[k] = shape[i];
                nst[k++] = st[i];
            }
            return Tensor.of(x.storage(), off, ns, nst, x.dtype());
        }

        @Override
        public Tensor[] vjp(VjpContext<int[]> c) {
            int dim = c.attrs()[0], index = c.attrs()[1];
            return new Tensor[] {scatterSlice(c.grad(0).unsqueeze(dim), c.input(0).shape(), dim, index, index + 1, 1)};
        }
    };

    public static final ViewOp<int[]> EXPAND = new ViewOp<>("expand") {
        @Override
        public Tensor makeView(Tensor x, int[] shape) {
            int[] xs = x.shape();
            long[] xst = x.strides();
            if (shape.length < xs.length) {
                throw new IllegalArgumentException("expand: target shape " + Arrays.toString(shape) + " has fewer dimensions than the input's "
                        + Arrays.toString(xs));
            }
            long[] st = new long[shape.length];
            int lead = shape.length - xs.length;
            for (int i = 0; i < shape.length; i++) {
                int src = i - lead;
                int have = src >= 0 ? xs[src] : 1;
                if (have == shape[i]) {
                    st[i] = src >= 0 ? xst[src] : 0;
                } else if (have == 1) {
                    st[i] = 0;
                } else {
                    throw new IllegalArgumentException("expand: input of shape " + Arrays.toString(xs) + " cannot be expanded to "
                            + Arrays.toString(shape) + " (dimension " + i + ": " + have + " vs " + shape[i] + "; only size-1 dimensions expand)");
                }
            }
            return Tensor.of(x.storage(), x.offset(), shape, st, x.dtype());
        }

        @Override
        public Tensor[] vjp(VjpContext<int[]> c) { return new Tensor[] {ReductionOps.sumTo(c.grad(0), c.input(0).shape())}; }
    };

    /** The gradient of a slice: zeros of the input's shape with the slice set to g. */
    public static final PortableOp<ScatterSliceAttrs> SCATTER_SLICE = new PortableOp<>("scatter_slice") {
        @Override
        public OutputSpec[] infer(Tensor[] in, ScatterSliceAttrs a) { return new OutputSpec[] {new OutputSpec(a.shape(), in[0].dtype())}; }

        @Override
        public Tensor[] compute(Tensor[] in, ScatterSliceAttrs a) {
            Tensor out = Tensor.zeros(in[0].dtype(), in[0].device(), a.shape());
            Dispatcher.copyInto(out.slice(a.dim(), a.start(), a.end(), a.step()), in[0]);
            return new Tensor[] {out};
        }

        @Override
        public Tensor[] vjp(VjpContext<ScatterSliceAttrs> c) {
            ScatterSliceAttrs a = c.attrs();
            return new Tensor[] {c.grad(0).slice(a.dim(), a.start(), a.end(), a.step())};
        }
    };

    // ---------------------------------------------------------------- functions

    public static Tensor view(Tensor x, int[] shape) { return Dispatcher.call1(VIEW, resolve("view", x, shape), x); }

    public static Tensor reshape(Tensor x, int[] shape) {
        int[] s = resolve("reshape", x, shape);
        if (viewStrides(x.shape(), x.strides(), s) == null) x = x.contiguous();
        return Dispatcher.call1(VIEW, s, x);
    }

    public static Tensor permute(Tensor x, int[] dims) {
        if (dims.length != x.dim()) {
            throw new IllegalArgumentException("permute: " + dims.length + " dimensions given for a tensor of rank " + x.dim()
                    + " (shape " + Arrays.toString(x.shape()) + ")");
        }
        int[] d = new int[dims.length];
        boolean[] seen = new boolean[dims.length];
        for (int i = 0; i < dims.length; i++) {
            d[i] = Shapes.axis("permute", dims[i], x.dim());
            if (seen[d[i]]) throw new IllegalArgumentException("permute: dimension " + d[i] + " repeats in " + Arrays.toString(dims));
            seen[d[i]] = true;
        }
        return Dispatcher.call1(PERMUTE, d, x);
    }

    public static Tensor transpose(Tensor x, int d0, int d1) {
        int a = Shapes.axis("transpose", d0, x.dim()), b = Shapes.axis("transpose", d1, x.dim());
        int[] dims = new int[x.dim()];
        for (int i = 0; i < dims.length; i++) dims[i] = i;
        dims[a] = b;
        dims[b] = a;
        return x.dim() == 0 ? x : Dispatcher.call1(PERMUTE, dims, x);
    }

    public static Tensor slice(Tensor x, int dim, int start, int end, int step) {
        if (x.dim() == 0) throw new IllegalArgumentException("slice: cannot slice a 0-dimensional tensor");
        int d = Shapes.axis("slice", dim, x.dim());
        int n = x.shape()[d];
        if (step <= 0) throw new IllegalArgumentException("slice: step must be positive, got " + step);
        // as Python and PyTorch slicing: negative bounds count from the end, out-of-range bounds clamp
        int s = Math.clamp(start < 0 ? (long) start + n : start, 0, n);
        int e = Math.clamp(end < 0 ? (long) end + n : end, s, n);
        return Dispatcher.call1(SLICE, new SliceAttrs(d, s, e, step), x);
    }

    public static Tensor select(Tensor x, int dim, int index) {
        int d = Shapes.axis("select", dim, x.dim());
        int n = x.shape()[d];
        int i = index < 0 ? index + n : index;
        if (i < 0 || i >= n) {
            throw new IllegalArgumentException("select: index " + index + " is out of bounds for dimension " + d + " of size " + n);
        }
        return Dispatcher.call1(SELECT, new int[] {d, i}, x);
    }

    public static Tensor expand(Tensor x, int[] shape) {
        int[] s = shape.clone();
        int lead = s.length - x.dim();
        for (int i = 0; i < s.length; i++) if (s[i] == -1 && i >= lead) s[i] = x.shape()[i - lead];
        if (Arrays.equals(s, x.shape())) return x;
        return Dispatcher.call1(EXPAND, s, x);
    }

    public static Tensor squeeze(Tensor x, Integer dim) {
        int[] shape = x.shape();
        int[] ns;
        if (dim == null) {
            ns = Arrays.stream(shape).filter(v -> v != 1).toArray();
        } else {
            int d = Shapes.axis("squeeze", dim, x.dim());
            if (x.dim() == 0 || shape[d] != 1) return x;
            ns = new int[shape.length - 1];
            for (int i = 0, k = 0; i < shape.length; i++) if (i != d) ns[k++] = shape[i];
        }
        return ns.length == shape.length ? x : Dispatcher.call1(VIEW, ns, x);
    }

    public static Tensor unsqueeze(Tensor x, int dim) {
        int d = Shapes.axis("unsqueeze", dim, x.dim() + 1);
        int[] shape = x.shape();
        int[] ns = new int[shape.length + 1];
        for (int i = 0, k = 0; i < ns.length; i++) ns[i] = i == d ? 1 : shape[k++];
        return Dispatcher.call1(VIEW, ns, x);
    }

    public static Tensor flatten(Tensor x, int start, int end) {
        if (x.dim() == 0) return x.reshape(1);
        int s = Shapes.axis("flatten", start, x.dim()), e = Shapes.axis("flatten", end, x.dim());
        if (s > e) throw new IllegalArgumentException("flatten: start dimension " + start + " is after end dimension " + end);
        int[] shape = x.shape();
        int[] ns = new int[shape.length - (e - s)];
        int k = 0;
        for (int i = 0; i < s; i++) ns[k++] = shape[i];
        int m = 1;
        for (int i = s; i <= e; i++) m *= shape[i];
        ns[k++] = m;
        for (int i = e + 1; i < shape.length; i++) ns[k++] = shape[i];
        return reshape(x, ns);
    }

    /** Zeros of {@code shape} with {@code g} written into the given slice. */
    public static Tensor scatterSlice(Tensor g, int[] shape, int dim, int start, int end, int step) {
        return Dispatcher.call1(SCATTER_SLICE, new ScatterSliceAttrs(shape, dim, start, end, step), g);
    }

    private static int[] resolve(String op, Tensor x, int[] shape) {
        int[] s = shape.clone();
        int infer = -1;
        long known = 1;
        for (int i = 0; i < s.length; i++) {
            if (s[i] == -1) {
                if (infer >= 0) throw new IllegalArgumentException(op + ": only one dimension can be -1 in " + Arrays.toString(shape));
                infer = i;
            } else if (s[i] < 0) {
                throw new IllegalArgumentException(op + ": invalid dimension " + s[i] + " in " + Arrays.toString(shape));
            } else {
                known *= s[i];
            }
        }
        long n = x.numel();
        if (infer >= 0) {
            if (known == 0 || n % known != 0) {
                throw new IllegalArgumentException(op + ": shape " + Arrays.toString(shape) + " is invalid for an input of shape "
                        + Arrays.toString(x.shape()) + " (" + n + " elements)");
            }
            s[infer] = (int) (n / known);
        } else if (known != n) {
            throw new IllegalArgumentException(op + ": shape " + Arrays.toString(shape) + " is invalid for an input of shape "
                    + Arrays.toString(x.shape()) + " (" + n + " elements)");
        }
        return s;
    }

    /** Strides that view (oldShape, oldStrides) as newShape, or null if impossible (PyTorch's rule). */
    static long[] viewStrides(int[] oldShape, long[] oldStride, int[] newShape) {
        long numel = Shapes.numel(oldShape);
        if (numel == 0 || oldShape.length == 0) return Shapes.contiguousStrides(newShape);
        long[] ns = new long[newShape.length];
        int viewD = newShape.length - 1;
        long chunkBase = oldStride[oldShape.length - 1];
        long tensorNumel = 1, viewNumel = 1;
        for (int d = oldShape.length - 1; d >= 0; d--) {
            tensorNumel *= oldShape[d];
            if (d == 0 || (oldShape[d - 1] != 1 && oldStride[d - 1] != tensorNumel * chunkBase)) {
                while (viewD >= 0 && (viewNumel < tensorNumel || newShape[viewD] == 1)) {
                    ns[viewD] = viewNumel * chunkBase;
                    viewNumel *= newShape[viewD];
                    viewD--;
                }
                if (viewNumel != tensorNumel) return null;
                if (d > 0) {
                    chunkBase = oldStride[d - 1];
                    tensorNumel = 1;
                    viewNumel = 1;
                }
            }
        }
        return viewD == -1 ? ns : null;
    }
}
