package dev.ember.core.ops;

import dev.ember.core.DType;
import dev.ember.core.Device;
import dev.ember.core.Tensor;
import dev.ember.core.dispatch.Dispatcher;
import dev.ember.core.random.Generator;

/** Ops that make tensors from nothing: fill, ranges and seeded random draws. */
public final class CreationOps {

    private CreationOps() {}

    public record FillAttrs(int[] shape, DType dtype, Device device, double value) implements DeviceAttrs {}

    /** Element i is {@code start + i * step}; with {@code fromBothEnds}, the upper half counts down from {@code end}. */
    public record RangeAttrs(double start, double step, double end, int count, boolean fromBothEnds, DType dtype, Device device)
            implements DeviceAttrs {}

    public enum Distribution { UNIFORM, NORMAL, INTEGER }

    /** Counter-based draws (see {@link dev.ember.core.random.CounterHash}); a and b: [low, high) for integers. */
    public record RandomAttrs(Distribution kind, long seed, long offset, long low, long high, int[] shape, DType dtype, Device device)
            implements DeviceAttrs {}

    private abstract static class Creation<A extends DeviceAttrs> extends Op<A> {
        Creation(String name) { super(name); }

        @Override
        public boolean differentiable() { return false; }
    }

    public static final Op<FillAttrs> FILL = new Creation<>("fill") {
        @Override
        public OutputSpec[] infer(Tensor[] in, FillAttrs a) { return new OutputSpec[] {new OutputSpec(a.shape(), a.dtype())}; }
    };

    public static final Op<RangeAttrs> RANGE = new Creation<>("range") {
        @Override
        public OutputSpec[] infer(Tensor[] in, RangeAttrs a) { return new OutputSpec[] {new OutputSpec(new int[] {a.count()}, a.dtype())}; }
    };

    public static final Op<RandomAttrs> RANDOM = new Creation<>("random") {
        @Override
        public OutputSpec[] infer(Tensor[] in, RandomAttrs a) {
            if (a.kind() != Distribution.INTEGER && !a.dtype().isFloating()) {
                throw new IllegalArgumentException("rand/randn: dtype must be floating, got " + a.dtype());
            }
            return new OutputSpec[] {new OutputSpec(a.shape(), a.dtype())};
        }
    };

    public static Tensor full(double value, DType dtype, Device device, int[] shape) {
        return Dispatcher.call1(FILL, new FillAttrs(shape.clone(), dtype, device, value));
    }

    public static Tensor arange(double start, double end, double step, DType dtype, Device device) {
        if (step == 0) throw new IllegalArgumentException("arange: step must not be zero");
        double n = Math.ceil((end - start) / step);
        if (n < 0 || Double.isNaN(n)) {
            throw new IllegalArgumentException("arange: start " + start + ", end " + end + " and step " + step + " are inconsistent");
        }
        if (n > Integer.MAX_VALUE) throw new IllegalArgumentException("arange: " + n + " elements is too many");
        return Dispatcher.call1(RANGE, new RangeAttrs(start, step, end, (int) n, false, dtype, device));
    }

    public static Tensor linspace(double start, double end, int steps, DType dtype, Device device) {
        if (steps < 0) throw new IllegalArgumentException("linspace: steps must be >= 0, got " + steps);
        double step = steps > 1 ? (end - start) / (steps - 1) : 0;
        return Dispatcher.call1(RANGE, new RangeAttrs(start, step, end, steps, true, dtype, device));
    }

    public static Tensor eye(int rows, int cols, DType dtype, Device device) {
        Tensor r = arange(0, rows, 1, DType.I64, device).unsqueeze(1);
        Tensor c = arange(0, cols, 1, DType.I64, device);
        return r.eq(c).to(dtype);
    }

    public static Tensor rand(Generator g, DType dtype, Device device, int[] shape) {
        return random(Distribution.UNIFORM, g, 0, 1, dtype, device, shape);
    }

    public static Tensor randn(Generator g, DType dtype, Device device, int[] shape) {
        return random(Distribution.NORMAL, g, 0, 1, dtype, device, shape);
    }

    public static Tensor randint(Generator g, long low, long high, DType dtype, Device device, int[] shape) {
        if (high <= low) throw new IllegalArgumentException("randint: high (" + high + ") must be greater than low (" + low + ")");
        return random(Distribution.INTEGER, g, low, high, dtype, device, shape);
    }

    private static Tensor random(Distribution kind, Generator g, long low, long high, DType dtype, Device device, int[] shape) {
        long n = dev.ember.core.Shapes.numel(shape);
        long offset = g.reserve(n);
        return Dispatcher.call1(RANDOM, new RandomAttrs(kind, g.seed(), offset, low, high, shape.clone(), dtype, device));
    }
}
