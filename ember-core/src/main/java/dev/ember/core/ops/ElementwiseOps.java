package dev.ember.core.ops;

import dev.ember.core.DType;
import dev.ember.core.Tensor;
import dev.ember.core.dispatch.Dispatcher;

/**
 * The elementwise ops: each declared once with its derivative. Backends register kernels for
 * these instances; {@link Tensor}'s methods call the functions below.
 */
public final class ElementwiseOps {

    private ElementwiseOps() {}

    // ---------------------------------------------------------------- binary arithmetic
    public static final BinaryOp ADD = new BinaryOp("add", false, (a, b, y, g, i) -> g);
    public static final BinaryOp SUB = new BinaryOp("sub", false, (a, b, y, g, i) -> i == 0 ? g : g.neg());
    public static final BinaryOp MUL = new BinaryOp("mul", false, (a, b, y, g, i) -> g.mul(i == 0 ? b : a));
    public static final BinaryOp DIV = new BinaryOp("div", false,
            (a, b, y, g, i) -> i == 0 ? g.div(b) : g.mul(y).div(b).neg());
    public static final BinaryOp POW = new BinaryOp("pow", false,
            (a, b, y, g, i) -> i == 0
                    ? g.mul(b).mul(a.pow(b.sub(1)))
                    : g.mul(y).mul(where(a.gt(0), a, Tensor.scalar(1, a.dtype(), a.device())).log()));
    public static final BinaryOp MAXIMUM = new BinaryOp("maximum", false,
            (a, b, y, g, i) -> g.mul(tieSplit(i == 0 ? a.gt(b) : b.gt(a), a.eq(b), g.dtype())));
    public static final BinaryOp MINIMUM = new BinaryOp("minimum", false,
            (a, b, y, g, i) -> g.mul(tieSplit(i == 0 ? a.lt(b) : b.lt(a), a.eq(b), g.dtype())));

    // ---------------------------------------------------------------- comparisons (bool, no gradient)
    public static final BinaryOp EQ = new BinaryOp("eq", true, null);
    public static final BinaryOp NE = new BinaryOp("ne", true, null);
    public static final BinaryOp LT = new BinaryOp("lt", true, null);
    public static final BinaryOp LE = new BinaryOp("le", true, null);
    public static final BinaryOp GT = new BinaryOp("gt", true, null);
    public static final BinaryOp GE = new BinaryOp("ge", true, null);

    public static final WhereOp WHERE = new WhereOp();

    // ---------------------------------------------------------------- unary
    public static final UnaryOp NEG = new UnaryOp("neg", false, (x, y, g, p) -> g.neg());
    public static final UnaryOp EXP = new UnaryOp("exp", true, (x, y, g, p) -> g.mul(y));
    public static final UnaryOp LOG = new UnaryOp("log", true, (x, y, g, p) -> g.div(x));
    public static final UnaryOp SQRT = new UnaryOp("sqrt", true, (x, y, g, p) -> g.div(y.mul(2)));
    public static final UnaryOp RSQRT = new UnaryOp("rsqrt", true, (x, y, g, p) -> g.mul(y.mul(y).mul(y)).mul(-0.5));
    public static final UnaryOp ABS = new UnaryOp("abs", false, (x, y, g, p) -> g.mul(x.sign()));
    public static final UnaryOp SIGN = new UnaryOp("sign", false, (x, y, g, p) -> Tensor.zerosLike(g));
    public static final UnaryOp SIN = new UnaryOp("sin", true, (x, y, g, p) -> g.mul(x.cos()));
    public static final UnaryOp COS = new UnaryOp("cos", true, (x, y, g, p) -> g.mul(x.sin()).neg());
    public static final UnaryOp TANH = new UnaryOp("tanh", true, (x, y, g, p) -> g.mul(y.mul(y).neg().add(1)));
    public static final UnaryOp SIGMOID = new UnaryOp("sigmoid", true, (x, y, g, p) -> g.mul(y.mul(y.neg().add(1))));
    public static final UnaryOp RELU = new UnaryOp("relu", false,
            (x, y, g, p) -> where(x.gt(0), g, Tensor.scalar(0, g.dtype(), g.device())));
    /** a = negative slope. */
    public static final UnaryOp LEAKY_RELU = new UnaryOp("leaky_relu", true,
            (x, y, g, p) -> where(x.gt(0), g, g.mul(p.a())));
    public static final UnaryOp SILU = new UnaryOp("silu", true, (x, y, g, p) -> {
        Tensor s = x.sigmoid();
        return g.mul(s.mul(x.mul(s.neg().add(1)).add(1)));
    });
    /** a = beta, b = threshold: x where beta*x > threshold, else log(1 + exp(beta*x)) / beta. */
    public static final UnaryOp SOFTPLUS = new UnaryOp("softplus", true, (x, y, g, p) -> {
        Tensor bx = x.mul(p.a());
        return where(bx.gt(p.b()), g, g.mul(bx.sigmoid()));
    });
    /** a = min, b = max (NaN: no bound); the gradient passes where min <= x <= max. */
    public static final UnaryOp CLAMP = new UnaryOp("clamp", false, (x, y, g, p) -> {
        Tensor pass = Tensor.onesLike(g);
        if (!Double.isNaN(p.a())) pass = pass.mul(x.ge(p.a()).to(g.dtype()));
        if (!Double.isNaN(p.b())) pass = pass.mul(x.le(p.b()).to(g.dtype()));
        return g.mul(pass);
    });
    /** a = exponent. */
    public static final UnaryOp POW_SCALAR = new UnaryOp("pow_scalar", true,
            (x, y, g, p) -> p.a() == 0 ? Tensor.zerosLike(g) : g.mul(x.pow(p.a() - 1)).mul(p.a()));
    public static final UnaryOp RECIPROCAL = new UnaryOp("reciprocal", true, (x, y, g, p) -> g.mul(y.mul(y)).neg());
    public static final UnaryOp ERF = new UnaryOp("erf", true,
            (x, y, g, p) -> g.mul(x.mul(x).neg().exp()).mul(2 / Math.sqrt(Math.PI)));

    /** gelu, exact (x * Phi(x)) or with the tanh approximation; decomposes into erf or tanh. */
    public static final CompositeOp<Boolean> GELU = new CompositeOp<>("gelu") {
        @Override
        public OutputSpec[] infer(Tensor[] in, Boolean approximate) {
            return new OutputSpec[] {new OutputSpec(in[0].shape(), in[0].dtype())};
        }

        @Override
        public Tensor[] decompose(Tensor[] in, Boolean approximate) {
            Tensor x = in[0];
            if (!x.dtype().isFloating()) throw new IllegalArgumentException("gelu: expected a floating tensor, got " + x.dtype());
            if (approximate) {
                Tensor inner = x.add(x.mul(x).mul(x).mul(0.044715)).mul(Math.sqrt(2 / Math.PI));
                return new Tensor[] {x.mul(0.5).mul(inner.tanh().add(1))};
            }
            return new Tensor[] {x.mul(0.5).mul(erf(x.mul(1 / Math.sqrt(2))).add(1))};
        }
    };

    // ---------------------------------------------------------------- functions

    public static Tensor add(Tensor a, Tensor b) { return binary(ADD, a, b); }
    public static Tensor sub(Tensor a, Tensor b) { return binary(SUB, a, b); }
    public static Tensor mul(Tensor a, Tensor b) { return binary(MUL, a, b); }
    /** True division: integer inputs give f32, as in PyTorch. */
    public static Tensor div(Tensor a, Tensor b) {
        if (!a.dtype().isFloating() && !b.dtype().isFloating()) {
            a = a.to(DType.F32);
            b = b.to(DType.F32);
        }
        return binary(DIV, a, b);
    }
    public static Tensor pow(Tensor a, Tensor b) { return binary(POW, floating(a, "pow"), b); }
    public static Tensor maximum(Tensor a, Tensor b) { return binary(MAXIMUM, a, b); }
    public static Tensor minimum(Tensor a, Tensor b) { return binary(MINIMUM, a, b); }

    public static Tensor compare(BinaryOp op, Tensor a, Tensor b) {
        if (!op.isComparison()) throw new IllegalArgumentException(op.name() + " is not a comparison");
        return binary(op, a, b);
    }

    public static Tensor where(Tensor cond, Tensor a, Tensor b) {
        DType d = DType.promote(a.dtype(), b.dtype());
        return Dispatcher.call1(WHERE, NoAttrs.INSTANCE, cond, a.to(d), b.to(d));
    }

    public static Tensor neg(Tensor x) { return unary(NEG, x, UnaryParams.NONE); }
    public static Tensor exp(Tensor x) { return unary(EXP, x, UnaryParams.NONE); }
    public static Tensor log(Tensor x) { return unary(LOG, x, UnaryParams.NONE); }
    public static Tensor sqrt(Tensor x) { return unary(SQRT, x, UnaryParams.NONE); }
    public static Tensor rsqrt(Tensor x) { return unary(RSQRT, x, UnaryParams.NONE); }
    public static Tensor abs(Tensor x) { return unary(ABS, x, UnaryParams.NONE); }
    public static Tensor sign(Tensor x) { return unary(SIGN, x, UnaryParams.NONE); }
    public static Tensor sin(Tensor x) { return unary(SIN, x, UnaryParams.NONE); }
    public static Tensor cos(Tensor x) { return unary(COS, x, UnaryParams.NONE); }
    public static Tensor tanh(Tensor x) { return unary(TANH, x, UnaryParams.NONE); }
    public static Tensor sigmoid(Tensor x) { return unary(SIGMOID, x, UnaryParams.NONE); }
    public static Tensor relu(Tensor x) { return unary(RELU, x, UnaryParams.NONE); }
    public static Tensor leakyRelu(Tensor x, double slope) { return unary(LEAKY_RELU, x, new UnaryParams(slope, 0)); }
    public static Tensor silu(Tensor x) { return unary(SILU, x, UnaryParams.NONE); }
    public static Tensor softplus(Tensor x, double beta, double threshold) { return unary(SOFTPLUS, x, new UnaryParams(beta, threshold)); }
    public static Tensor clamp(Tensor x, double min, double max) {
        if (!Double.isNaN(min) && !Double.isNaN(max) && min > max) {
            throw new IllegalArgumentException("clamp: min " + min + " is greater than max " + max);
        }
        return unary(CLAMP, x, new UnaryParams(min, max));
    }
    public static Tensor powScalar(Tensor x, double e) { return unary(POW_SCALAR, floating(x, "pow"), new UnaryParams(e, 0)); }
    public static Tensor reciprocal(Tensor x) { return unary(RECIPROCAL, x, UnaryParams.NONE); }
    public static Tensor erf(Tensor x) { return unary(ERF, x, UnaryParams.NONE); }
    public static Tensor gelu(Tensor x, boolean tanhApproximation) { return Dispatcher.call1(GELU, tanhApproximation, x); }

    private static Tensor unary(UnaryOp op, Tensor x, UnaryParams p) { return Dispatcher.call1(op, p, x); }

    private static Tensor binary(BinaryOp op, Tensor a, Tensor b) {
        if (a.dtype() != b.dtype()) {
            DType d = promoteWithScalars(a, b);
            a = a.to(d);
            b = b.to(d);
        }
        return Dispatcher.call1(op, NoAttrs.INSTANCE, a, b);
    }

    /** As PyTorch: a 0-d tensor does not widen a tensor of the same kind (f16 tensor + f32 scalar stays f16). */
    private static DType promoteWithScalars(Tensor a, Tensor b) {
        boolean sa = a.dim() == 0, sb = b.dim() == 0;
        if (sa != sb) {
            Tensor dim = sa ? b : a, sc = sa ? a : b;
            if (dim.dtype().isFloating() == sc.dtype().isFloating() && dim.dtype() != DType.BOOL) return dim.dtype();
        }
        return DType.promote(a.dtype(), b.dtype());
    }

    private static Tensor floating(Tensor x, String op) { return x.dtype().isFloating() ? x : x.to(DType.F32); }

    private static Tensor tieSplit(Tensor strict, Tensor ties, DType d) {
        return strict.to(d).add(ties.to(d).mul(0.5));
    }
}
