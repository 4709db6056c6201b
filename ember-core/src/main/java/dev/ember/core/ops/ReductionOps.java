package dev.ember.core.ops;

import dev.ember.core.DType;
import dev.ember.core.Shapes;
import dev.ember.core.Tensor;
import dev.ember.core.dispatch.Dispatcher;

import java.util.Arrays;

/** Reductions over any set of axes, and softmax / log-softmax. */
public final class ReductionOps {

    private ReductionOps() {}

    /** Sum; integer and bool inputs sum to i64, as in PyTorch. */
    public static final Op<ReduceAttrs> SUM = new Op<>("sum") {
        @Override
        public OutputSpec[] infer(Tensor[] in, ReduceAttrs a) {
            DType d = in[0].dtype().isFloating() ? in[0].dtype() : DType.I64;
            return new OutputSpec[] {new OutputSpec(Shapes.reduced(in[0].shape(), a.axes(), a.keepDim()), d)};
        }

        @Override
        public Tensor[] vjp(VjpContext<ReduceAttrs> c) {
            return new Tensor[] {expandBack(c.grad(0), c.input(0).shape(), c.attrs())};
        }
    };

    // ---------------------------------------------------------------- functions

    public static Tensor sum(Tensor x, int[] dims, boolean keepDim) {
        return Dispatcher.call1(SUM, new ReduceAttrs(Shapes.axes("sum", dims, x.dim()), keepDim), x);
    }

    public static Tensor mean(Tensor x, int[] dims, boolean keepDim) {
        if (!x.dtype().isFloating()) {
            throw new IllegalArgumentException("mean: expected a floating tensor, got " + x.dtype() + "; convert with .to(DType.F32)");
        }
        int[] axes = Shapes.axes("mean", dims, x.dim());
        long n = 1;
        for (int a : axes) n *= x.shape()[a];
        return sum(x, axes, keepDim).div(n);
    }

    /** Sums {@code g} down to {@code shape} (the reverse of broadcasting {@code shape} up to g's shape). */
    public static Tensor sumTo(Tensor g, int[] shape) {
        int[] gs = g.shape();
        if (Arrays.equals(gs, shape)) return g;
        int lead = gs.length - shape.length;
        int[] axes = new int[gs.length];
        int n = 0;
        for (int i = 0; i < gs.length; i++) {
            if (i < lead || (shape[i - lead] == 1 && gs[i] != 1)) axes[n++] = i;
        }
        Tensor r = n == 0 ? g : Dispatcher.call1(SUM, new ReduceAttrs(Arrays.copyOf(axes, n), true), g);
        return r.reshape(shape);
    }

    /** Broadcasts the gradient of a reduction back to the input's shape. */
    static Tensor expandBack(Tensor g, int[] inputShape, ReduceAttrs a) {
        if (!a.keepDim()) g = g.reshape(Shapes.reduced(inputShape, a.axes(), true));
        return g.expand(inputShape);
    }


    // ---------------------------------------------------------------- statistics, extremes, softmax

    /** Variance attributes: normalised sorted axes, Bessel correction, keep reduced dims. */
    public record VarAttrs(int[] axes, int correction, boolean keepDim) {}

    /** Vector-norm attributes: the order p (positive, or +infinity), normalised axes, keep reduced dims. */
    public record NormAttrs(double p, int[] axes, boolean keepDim) {}

    /** Largest value over any axes; ties share the gradient evenly, as PyTorch's amax. */
    public static final Op<ReduceAttrs> AMAX = extreme("amax");

    /** Smallest value over any axes; ties share the gradient evenly, as PyTorch's amin. */
    public static final Op<ReduceAttrs> AMIN = extreme("amin");

    /** Maximum along one axis (attrs hold it) and the i64 index of its first occurrence. */
    public static final Op<ReduceAttrs> MAX_DIM = extremeWithIndex("max");

    /** Minimum along one axis and the i64 index of its first occurrence. */
    public static final Op<ReduceAttrs> MIN_DIM = extremeWithIndex("min");

    /** Index (i64) of the first maximum along one axis. */
    public static final Op<ReduceAttrs> ARGMAX = argExtreme("argmax");

    /** Index (i64) of the first minimum along one axis. */
    public static final Op<ReduceAttrs> ARGMIN = argExtreme("argmin");

    /** softmax along the axis in the attributes; computed stably (the row maximum is subtracted). */
    public static final Op<Integer> SOFTMAX = new Op<>("softmax") {
        @Override
        public OutputSpec[] infer(Tensor[] in, Integer axis) { return softmaxSpec(name(), in[0], axis); }

        @Override
        public Tensor[] vjp(VjpContext<Integer> c) {
            Tensor y = c.output(0), g = c.grad(0);
            return new Tensor[] {y.mul(g.sub(sum(g.mul(y), new int[] {c.attrs()}, true)))};
        }
    };

    /** log(softmax) along the axis in the attributes, computed as x - max - log(sum(exp(x - max))). */
    public static final Op<Integer> LOG_SOFTMAX = new Op<>("log_softmax") {
        @Override
        public OutputSpec[] infer(Tensor[] in, Integer axis) { return softmaxSpec(name(), in[0], axis); }

        @Override
        public Tensor[] vjp(VjpContext<Integer> c) {
            Tensor y = c.output(0), g = c.grad(0);
            return new Tensor[] {g.sub(y.exp().mul(sum(g, new int[] {c.attrs()}, true)))};
        }
    };

    /** Variance by two passes (mean, then squared deviations), which keeps precision when the mean is large. */
    public static final CompositeOp<VarAttrs> VAR = new CompositeOp<>("var") {
        @Override
        public OutputSpec[] infer(Tensor[] in, VarAttrs a) {
            requireFloating("var", in[0]);
            return new OutputSpec[] {new OutputSpec(Shapes.reduced(in[0].shape(), a.axes(), a.keepDim()), in[0].dtype())};
        }

        @Override
        public Tensor[] decompose(Tensor[] in, VarAttrs a) {
            Tensor x = in[0];
            requireFloating("var", x);
            Tensor d = x.sub(mean(x, a.axes(), true));
            Tensor s = sum(d.mul(d), a.axes(), a.keepDim());
            // Like PyTorch: fewer elements than the correction gives inf (or nan for 0/0), not an error.
            return new Tensor[] {s.div(Math.max(0, count(x.shape(), a.axes()) - a.correction()))};
        }
    };

    /** Standard deviation: the square root of {@link #VAR}. */
    public static final CompositeOp<VarAttrs> STD = new CompositeOp<>("std") {
        @Override
        public OutputSpec[] infer(Tensor[] in, VarAttrs a) { return VAR.infer(in, a); }

        @Override
        public Tensor[] decompose(Tensor[] in, VarAttrs a) {
            return new Tensor[] {Dispatcher.call1(VAR, a, in[0]).sqrt()};
        }
    };

    /** log(sum(exp(x))) over any axes, shifted by the (detached) maximum so that exp cannot overflow. */
    public static final CompositeOp<ReduceAttrs> LOGSUMEXP = new CompositeOp<>("logsumexp") {
        @Override
        public OutputSpec[] infer(Tensor[] in, ReduceAttrs a) {
            requireFloating("logsumexp", in[0]);
            return new OutputSpec[] {new OutputSpec(Shapes.reduced(in[0].shape(), a.axes(), a.keepDim()), in[0].dtype())};
        }

        @Override
        public Tensor[] decompose(Tensor[] in, ReduceAttrs a) {
            Tensor x = in[0];
            requireFloating("logsumexp", x);
            int[] outShape = Shapes.reduced(x.shape(), a.axes(), a.keepDim());
            if (count(x.shape(), a.axes()) == 0 || x.numel() == 0) {
                return new Tensor[] {sum(x.exp(), a.axes(), a.keepDim()).log()};
            }
            Tensor m = Dispatcher.call1(AMAX, new ReduceAttrs(a.axes(), true), x.detach());
            // An infinite maximum (all -inf, or some +inf) would turn x - m into nan; shifting by 0 is exact there.
            Tensor zero = Tensor.scalar(0, m.dtype(), m.device());
            m = ElementwiseOps.where(m.abs().eq(Double.POSITIVE_INFINITY), zero, m);
            Tensor r = sum(x.sub(m).exp(), a.axes(), true).log().add(m);
            return new Tensor[] {r.reshape(outShape)};
        }
    };

    /**
     * The vector p-norm. One node with its own derivative (rather than a decomposition) so that
     * the gradient at a zero norm is 0, as in PyTorch, instead of the 0/0 the decomposition gives.
     */
    public static final PortableOp<NormAttrs> NORM = new PortableOp<>("norm") {
        @Override
        public OutputSpec[] infer(Tensor[] in, NormAttrs a) {
            Tensor x = in[0];
            requireFloating("norm", x);
            checkNormOrder(a.p());
            if (a.p() == Double.POSITIVE_INFINITY) checkNonEmptyReduction("norm", x, a.axes());
            return new OutputSpec[] {new OutputSpec(Shapes.reduced(x.shape(), a.axes(), a.keepDim()), x.dtype())};
        }

        @Override
        public Tensor[] compute(Tensor[] in, NormAttrs a) {
            Tensor x = in[0];
            double p = a.p();
            Tensor r;
            if (p == Double.POSITIVE_INFINITY) r = Dispatcher.call1(AMAX, new ReduceAttrs(a.axes(), a.keepDim()), x.abs());
            else if (p == 1) r = sum(x.abs(), a.axes(), a.keepDim());
            else if (p == 2) r = sum(x.mul(x), a.axes(), a.keepDim()).sqrt();
            else r = sum(x.abs().pow(p), a.axes(), a.keepDim()).pow(1 / p);
            return new Tensor[] {r};
        }

        @Override
        public Tensor[] vjp(VjpContext<NormAttrs> c) {
            Tensor x = c.input(0);
            ReduceAttrs ra = new ReduceAttrs(c.attrs().axes(), c.attrs().keepDim());
            double p = c.attrs().p();
            Tensor y = keep(c.output(0), x.shape(), ra), g = keep(c.grad(0), x.shape(), ra);
            Tensor zero = Tensor.scalar(0, x.dtype(), x.device());
            Tensor r;
            if (p == 1) {
                r = x.sign().mul(g);
            } else if (p == Double.POSITIVE_INFINITY) {
                Tensor mask = x.abs().eq(y).to(x.dtype());
                r = x.sign().mul(mask).mul(g.div(sum(mask, ra.axes(), true)));
            } else {
                // d||x||_p / dx = sign(x) |x|^(p-1) / ||x||^(p-1); x = 0 contributes 0 even for p < 1.
                Tensor scaled = p == 2 ? x
                        : x.sign().mul(ElementwiseOps.where(x.eq(0), zero, x.abs().pow(p - 1)));
                Tensor denom = p == 2 ? y : y.pow(p - 1);
                r = ElementwiseOps.where(y.eq(0), zero, scaled.mul(g.div(denom)));
            }
            return new Tensor[] {r.expand(x.shape())};
        }
    };

    private static Op<ReduceAttrs> extreme(String name) {
        return new Op<>(name) {
            @Override
            public OutputSpec[] infer(Tensor[] in, ReduceAttrs a) {
                checkNonEmptyReduction(name(), in[0], a.axes());
                return new OutputSpec[] {new OutputSpec(Shapes.reduced(in[0].shape(), a.axes(), a.keepDim()), in[0].dtype())};
            }

            @Override
            public Tensor[] vjp(VjpContext<ReduceAttrs> c) {
                Tensor x = c.input(0);
                ReduceAttrs a = c.attrs();
                Tensor mask = x.eq(keep(c.output(0), x.shape(), a)).to(c.grad(0).dtype());
                Tensor share = keep(c.grad(0), x.shape(), a).div(sum(mask, a.axes(), true));
                return new Tensor[] {mask.mul(share)};
            }
        };
    }

    private static Op<ReduceAttrs> extremeWithIndex(String name) {
        return new Op<>(name) {
            @Override
            public OutputSpec[] infer(Tensor[] in, ReduceAttrs a) {
                checkNonEmptyReduction(name(), in[0], a.axes());
                int[] s = Shapes.reduced(in[0].shape(), a.axes(), a.keepDim());
                return new OutputSpec[] {new OutputSpec(s, in[0].dtype()), new OutputSpec(s, DType.I64)};
            }

            @Override
            public Tensor[] vjp(VjpContext<ReduceAttrs> c) {
                Tensor x = c.input(0);
                ReduceAttrs a = c.attrs();
                int axis = a.axes()[0];
                int[] arShape = new int[x.dim()];
                Arrays.fill(arShape, 1);
                arShape[axis] = x.shape()[axis];
                Tensor positions = Tensor.arange(0, x.shape()[axis], 1, DType.I64, x.device()).reshape(arShape);
                Tensor hit = positions.eq(keep(c.output(1), x.shape(), a));
                Tensor g = keep(c.grad(0), x.shape(), a);
                Tensor zero = Tensor.scalar(0, g.dtype(), g.device());
                return new Tensor[] {ElementwiseOps.where(hit, g, zero).expand(x.shape())};
            }
        };
    }

    private static Op<ReduceAttrs> argExtreme(String name) {
        return new Op<>(name) {
            @Override
            public OutputSpec[] infer(Tensor[] in, ReduceAttrs a) {
                checkNonEmptyReduction(name(), in[0], a.axes());
                return new OutputSpec[] {new OutputSpec(Shapes.reduced(in[0].shape(), a.axes(), a.keepDim()), DType.I64)};
            }

            @Override
            public boolean differentiable() { return false; }
        };
    }

    private static OutputSpec[] softmaxSpec(String op, Tensor x, int axis) {
        requireFloating(op, x);
        if (axis < 0 || axis >= x.dim()) {
            throw new IllegalArgumentException(op + ": dimension " + axis + " is out of range for input of shape " + Arrays.toString(x.shape()));
        }
        return new OutputSpec[] {new OutputSpec(x.shape(), x.dtype())};
    }

    /** A reduction's result (or gradient) reshaped so that it broadcasts against the input. */
    private static Tensor keep(Tensor r, int[] inputShape, ReduceAttrs a) {
        return a.keepDim() ? r : r.reshape(Shapes.reduced(inputShape, a.axes(), true));
    }

    private static long count(int[] shape, int[] axes) {
        long n = 1;
        for (int a : axes) n *= shape[a];
        return n;
    }

    private static void requireFloating(String op, Tensor x) {
        if (!x.dtype().isFloating()) {
            throw new IllegalArgumentException(op + ": expected a floating tensor, got " + x.dtype() + " (shape "
                    + Arrays.toString(x.shape()) + "); convert it first with .to(DType.F32)");
        }
    }

    private static void checkNonEmptyReduction(String op, Tensor x, int[] axes) {
        int[] s = x.shape();
        for (int a : axes) {
            if (s[a] == 0) {
                throw new IllegalArgumentException(op + ": cannot reduce over dimension " + a + " of size 0 (input shape "
                        + Arrays.toString(s) + "); the operation has no identity");
            }
        }
    }

    private static void checkNormOrder(double p) {
        if (!(p > 0)) {
            throw new IllegalArgumentException("norm: order p must be positive or Double.POSITIVE_INFINITY, got " + p);
        }
    }

    /** Axes for a reduction; a 0-d tensor accepts dims 0 and -1 and has nothing to reduce. */
    private static int[] reduceAxes(String op, int[] dims, Tensor x) {
        int[] a = Shapes.axes(op, dims, x.dim());
        return x.dim() == 0 ? new int[0] : a;
    }

    /** A single-axis result on a 0-d tensor: computed on a 1-element view, then made 0-d again. */
    private static boolean scalarInput(String op, Tensor x, int dim) {
        Shapes.axis(op, dim, x.dim());
        return x.dim() == 0;
    }

    // ---------------------------------------------------------------- functions

    /**
     * Variance over {@code dims} (null or empty: all) with Bessel's correction {@code correction}.
     * <pre>{@code Tensor v = ReductionOps.var(x, new int[] {1}, 1, false); // unbiased, per row}</pre>
     */
    public static Tensor var(Tensor x, int[] dims, int correction, boolean keepDim) {
        requireFloating("var", x);
        return Dispatcher.call1(VAR, new VarAttrs(reduceAxes("var", dims, x), correction, keepDim), x);
    }

    /**
     * Standard deviation over {@code dims} (null or empty: all), the square root of {@link #var}.
     * <pre>{@code Tensor s = ReductionOps.std(x, null, 1, false);}</pre>
     */
    public static Tensor std(Tensor x, int[] dims, int correction, boolean keepDim) {
        requireFloating("std", x);
        return Dispatcher.call1(STD, new VarAttrs(reduceAxes("std", dims, x), correction, keepDim), x);
    }

    /**
     * Largest value over {@code dims} (null or empty: all); nan if any value is nan.
     * <pre>{@code Tensor colMax = ReductionOps.amax(x, new int[] {0}, false);}</pre>
     */
    public static Tensor amax(Tensor x, int[] dims, boolean keepDim) {
        return Dispatcher.call1(AMAX, new ReduceAttrs(reduceAxes("amax", dims, x), keepDim), x);
    }

    /**
     * Smallest value over {@code dims} (null or empty: all); nan if any value is nan.
     * <pre>{@code Tensor rowMin = ReductionOps.amin(x, new int[] {-1}, true);}</pre>
     */
    public static Tensor amin(Tensor x, int[] dims, boolean keepDim) {
        return Dispatcher.call1(AMIN, new ReduceAttrs(reduceAxes("amin", dims, x), keepDim), x);
    }

    /**
     * Maximum along {@code dim} and the i64 index of its first occurrence; the gradient goes to that index.
     * <pre>{@code ValuesIndices m = ReductionOps.max(logits, 1, false); Tensor predicted = m.indices();}</pre>
     */
    public static ValuesIndices max(Tensor x, int dim, boolean keepDim) { return withIndex(MAX_DIM, x, dim, keepDim); }

    /**
     * Minimum along {@code dim} and the i64 index of its first occurrence.
     * <pre>{@code ValuesIndices m = ReductionOps.min(x, -1, false);}</pre>
     */
    public static ValuesIndices min(Tensor x, int dim, boolean keepDim) { return withIndex(MIN_DIM, x, dim, keepDim); }

    /**
     * Index (i64) of the first maximum along {@code dim}.
     * <pre>{@code Tensor predicted = ReductionOps.argmax(logits, 1, false);}</pre>
     */
    public static Tensor argmax(Tensor x, int dim, boolean keepDim) { return indexOnly(ARGMAX, x, dim, keepDim); }

    /**
     * Index (i64) of the first minimum along {@code dim}.
     * <pre>{@code Tensor nearest = ReductionOps.argmin(distances, -1, false);}</pre>
     */
    public static Tensor argmin(Tensor x, int dim, boolean keepDim) { return indexOnly(ARGMIN, x, dim, keepDim); }

    /**
     * log(sum(exp(x))) over {@code dims} (null or empty: all), without overflow; integer inputs give f32.
     * <pre>{@code Tensor lse = ReductionOps.logsumexp(logits, new int[] {-1}, true);}</pre>
     */
    public static Tensor logsumexp(Tensor x, int[] dims, boolean keepDim) {
        if (!x.dtype().isFloating()) x = x.to(DType.F32);
        return Dispatcher.call1(LOGSUMEXP, new ReduceAttrs(reduceAxes("logsumexp", dims, x), keepDim), x);
    }

    /**
     * The vector p-norm over {@code dims} (null or empty: all): p may be any positive number or
     * {@code Double.POSITIVE_INFINITY} (largest absolute value).
     * <pre>{@code Tensor rowLengths = ReductionOps.norm(x, 2, new int[] {1}, false);}</pre>
     */
    public static Tensor norm(Tensor x, double p, int[] dims, boolean keepDim) {
        requireFloating("norm", x);
        checkNormOrder(p);
        int[] axes = reduceAxes("norm", dims, x);
        if (p == Double.POSITIVE_INFINITY) checkNonEmptyReduction("norm", x, axes);
        return Dispatcher.call1(NORM, new NormAttrs(p, axes, keepDim), x);
    }

    /**
     * softmax along {@code dim}: exp(x) / sum(exp(x)), computed stably.
     * <pre>{@code Tensor probs = ReductionOps.softmax(logits, -1);}</pre>
     */
    public static Tensor softmax(Tensor x, int dim) { return softmaxLike(SOFTMAX, x, dim); }

    /**
     * log(softmax(x)) along {@code dim}, computed without forming softmax (so no log(0)).
     * <pre>{@code Tensor logProbs = ReductionOps.logSoftmax(logits, 1);}</pre>
     */
    public static Tensor logSoftmax(Tensor x, int dim) { return softmaxLike(LOG_SOFTMAX, x, dim); }

    private static Tensor softmaxLike(Op<Integer> op, Tensor x, int dim) {
        requireFloating(op.name(), x);
        if (scalarInput(op.name(), x, dim)) return Dispatcher.call1(op, 0, x.reshape(1)).reshape();
        return Dispatcher.call1(op, Shapes.axis(op.name(), dim, x.dim()), x);
    }

    private static ValuesIndices withIndex(Op<ReduceAttrs> op, Tensor x, int dim, boolean keepDim) {
        if (scalarInput(op.name(), x, dim)) {
            Tensor[] r = Dispatcher.call(op, new ReduceAttrs(new int[] {0}, false), x.reshape(1));
            return new ValuesIndices(r[0], r[1]);
        }
        Tensor[] r = Dispatcher.call(op, new ReduceAttrs(new int[] {Shapes.axis(op.name(), dim, x.dim())}, keepDim), x);
        return new ValuesIndices(r[0], r[1]);
    }

    private static Tensor indexOnly(Op<ReduceAttrs> op, Tensor x, int dim, boolean keepDim) {
        if (scalarInput(op.name(), x, dim)) return Dispatcher.call1(op, new ReduceAttrs(new int[] {0}, false), x.reshape(1));
        return Dispatcher.call1(op, new ReduceAttrs(new int[] {Shapes.axis(op.name(), dim, x.dim())}, keepDim), x);
    }
}
