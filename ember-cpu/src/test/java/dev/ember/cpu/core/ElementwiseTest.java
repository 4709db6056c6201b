package dev.ember.cpu.core;

import dev.ember.core.DType;
import dev.ember.core.Device;
import dev.ember.core.Tensor;
import dev.ember.core.random.Generator;
import dev.ember.core.testing.GradCheck;
import org.junit.jupiter.api.Test;

import java.util.function.DoubleUnaryOperator;
import java.util.function.UnaryOperator;

import static dev.ember.core.testing.TensorAssert.assertClose;
import static dev.ember.core.testing.TensorAssert.assertShape;
import static org.junit.jupiter.api.Assertions.*;

class ElementwiseTest {

    private static final double[] XS = {-2.5, -1, -0.25, 0.3, 0.75, 1.5, 2, 3.25};

    private static Tensor f64(Generator g, int... shape) {
        return Tensor.randn(g, DType.F64, Device.CPU, shape).requiresGrad(true);
    }

    private static void checkUnary(UnaryOperator<Tensor> op, DoubleUnaryOperator ref, double[] xs) {
        for (DType d : new DType[] {DType.F32, DType.F64}) {
            Tensor x = Tensor.of(xs, xs.length).to(d);
            double[] expected = new double[xs.length];
            for (int i = 0; i < xs.length; i++) expected[i] = ref.applyAsDouble(d == DType.F32 ? (float) xs[i] : xs[i]);
            assertClose(expected, op.apply(x), d == DType.F32 ? 2e-6 : 1e-12);
            // strided input takes the generic path: same values
            Tensor strided = Tensor.of(xs, 2, xs.length / 2).to(d).transpose(0, 1);
            double[] v = new double[xs.length];
            double[] flat = strided.toDoubleArray();
            for (int i = 0; i < v.length; i++) v[i] = ref.applyAsDouble(flat[i]);
            assertClose(v, op.apply(strided), d == DType.F32 ? 2e-6 : 1e-12);
        }
    }

    @Test
    void unaryForwardMatchesJavaMath() {
        double[] pos = {0.1, 0.5, 1, 2.25, 4, 9.5, 20, 100};
        checkUnary(Tensor::neg, x -> -x, XS);
        checkUnary(Tensor::exp, Math::exp, XS);
        checkUnary(Tensor::log, Math::log, pos);
        checkUnary(Tensor::sqrt, Math::sqrt, pos);
        checkUnary(Tensor::rsqrt, x -> 1 / Math.sqrt(x), pos);
        checkUnary(Tensor::abs, Math::abs, XS);
        checkUnary(Tensor::sin, Math::sin, XS);
        checkUnary(Tensor::cos, Math::cos, XS);
        checkUnary(Tensor::tanh, Math::tanh, XS);
        checkUnary(Tensor::sigmoid, x -> 1 / (1 + Math.exp(-x)), XS);
        checkUnary(Tensor::relu, x -> Math.max(x, 0), XS);
        checkUnary(t -> t.leakyRelu(0.1), x -> x > 0 ? x : 0.1 * x, XS);
        checkUnary(Tensor::silu, x -> x / (1 + Math.exp(-x)), XS);
        checkUnary(Tensor::softplus, x -> Math.log1p(Math.exp(x)), XS);
        checkUnary(t -> t.clamp(-1, 1), x -> Math.max(-1, Math.min(1, x)), XS);
        checkUnary(t -> t.clamp(0, Double.NaN), x -> Math.max(0, x), XS);
        checkUnary(t -> t.pow(3), x -> x * x * x, XS);
        checkUnary(Tensor::reciprocal, x -> 1 / x, pos);
    }

    @Test
    void geluMatchesTheErfDefinition() {
        // Phi(1) = 0.8413447460685429, Phi(-0.5) = 0.3085375387259869 (standard normal table)
        Tensor y = Tensor.of(new double[] {1, -0.5, 0}, 3).gelu();
        assertClose(new double[] {0.8413447460685429, -0.5 * 0.3085375387259869, 0}, y, 1e-12);
    }

    @Test
    void binaryOpsBroadcast() {
        Tensor a = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor b = Tensor.of(new float[] {10, 20, 30}, 3);
        Tensor c = Tensor.of(new float[] {100, 200}, 2, 1);
        assertClose(new double[] {11, 22, 33, 14, 25, 36}, a.add(b), 0);
        assertClose(new double[] {101, 102, 103, 204, 205, 206}, a.add(c), 0);
        assertShape(b.add(c), 2, 3);
        assertClose(new double[] {-9, -18, -27, -6, -15, -24}, a.sub(b), 0);
        assertClose(new double[] {0.1, 0.1, 0.1, 0.4, 0.25, 0.2}, a.div(b), 1e-6);
        assertClose(new double[] {2, 4, 6, 8, 10, 12}, a.mul(2), 0);
        assertClose(new double[] {1, 4, 27, 4, 25, 216}, a.pow(Tensor.of(new float[] {1, 2, 3}, 1, 3).add(a.sub(a))), 1e-6);
        assertClose(new double[] {3, 3, 3, 4, 5, 6}, a.maximum(Tensor.full(3, 1)), 0);
        assertClose(new double[] {1, 2, 3, 3, 3, 3}, a.minimum(Tensor.full(3, 1)), 0);
    }

    @Test
    void integerArithmeticIsExactAndDivisionIsTrueDivision() {
        Tensor a = Tensor.of(new long[] {Long.MAX_VALUE - 5, 7, -9}, 3);
        Tensor b = Tensor.of(new long[] {2, 2, 2}, 3);
        assertArrayEquals(new long[] {Long.MAX_VALUE - 3, 9, -7}, a.add(b).toLongArray());
        assertEquals(DType.F32, Tensor.of(new int[] {7}, 1).div(Tensor.of(new int[] {2}, 1)).dtype());
        assertClose(new double[] {3.5}, Tensor.of(new int[] {7}, 1).div(Tensor.of(new int[] {2}, 1)), 0);
        assertEquals(DType.F32, Tensor.of(new int[] {1, 2}, 2).add(Tensor.of(new float[] {0.5f, 0.5f}, 2)).dtype());
    }

    @Test
    void comparisonsAndWhere() {
        Tensor a = Tensor.of(new float[] {1, 2, 3}, 3);
        Tensor b = Tensor.of(new float[] {3, 2, 1}, 3);
        assertArrayEquals(new boolean[] {true, false, false}, a.lt(b).toBooleanArray());
        assertArrayEquals(new boolean[] {true, true, false}, a.le(b).toBooleanArray());
        assertArrayEquals(new boolean[] {false, true, false}, a.eq(b).toBooleanArray());
        assertArrayEquals(new boolean[] {true, false, true}, a.ne(b).toBooleanArray());
        assertArrayEquals(new boolean[] {false, false, true}, a.gt(b).toBooleanArray());
        assertArrayEquals(new boolean[] {false, true, true}, a.ge(2).toBooleanArray());
        assertEquals(DType.BOOL, a.gt(b).dtype());
        assertClose(new double[] {3, 2, 3}, Tensor.where(a.gt(b), a, b).add(Tensor.where(a.le(b), b, a)).sub(Tensor.where(a.le(b), b, a)).maximum(b), 0);
        assertClose(new double[] {3, 2, 3}, Tensor.where(a.gt(b), a, b), 0);
    }

    @Test
    void badBroadcastNamesOpAndShapes() {
        var e = assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(2, 3).add(Tensor.zeros(4)));
        assertTrue(e.getMessage().contains("add") && e.getMessage().contains("[2, 3]") && e.getMessage().contains("[4]"), e.getMessage());
        var e2 = assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(2, 3).mul(Tensor.zeros(3, 2)));
        assertTrue(e2.getMessage().contains("mul") && e2.getMessage().contains("[3, 2]"), e2.getMessage());
    }

    @Test
    void unaryGradients() {
        Generator g = Generator.seeded(7);
        Tensor x = f64(g, 3, 4);
        Tensor p = Tensor.rand(g, DType.F64, Device.CPU, 3, 4).add(0.5).requiresGrad(true);
        for (UnaryOperator<Tensor> op : java.util.List.<UnaryOperator<Tensor>>of(Tensor::neg, Tensor::exp, Tensor::sin, Tensor::cos,
                Tensor::tanh, Tensor::sigmoid, Tensor::silu, Tensor::softplus, Tensor::gelu, t -> t.leakyRelu(0.2),
                t -> t.clamp(-0.5, 0.5), t -> t.pow(3), Tensor::abs, Tensor::relu)) {
            GradCheck.check(in -> op.apply(in[0]), x);
            GradCheck.check(in -> op.apply(in[0].transpose(0, 1)), x);
        }
        for (UnaryOperator<Tensor> op : java.util.List.<UnaryOperator<Tensor>>of(Tensor::log, Tensor::sqrt, Tensor::rsqrt,
                Tensor::reciprocal, t -> t.pow(0.5), t -> t.pow(-1.5))) {
            GradCheck.check(in -> op.apply(in[0]), p);
        }
        GradCheck.check(in -> dev.ember.core.ops.ElementwiseOps.gelu(in[0], true), x);
    }

    @Test
    void binaryGradientsWithBroadcastingAndStrides() {
        Generator g = Generator.seeded(8);
        Tensor a = f64(g, 2, 3, 4);
        Tensor b = f64(g, 3, 1);
        Tensor pos = Tensor.rand(g, DType.F64, Device.CPU, 3, 1).add(0.5).requiresGrad(true);
        GradCheck.check(in -> in[0].add(in[1]), a, b);
        GradCheck.check(in -> in[0].sub(in[1]), a, b);
        GradCheck.check(in -> in[0].mul(in[1]), a, b);
        GradCheck.check(in -> in[0].div(in[1]), a, pos);
        GradCheck.check(in -> in[1].pow(in[0]), a, pos);
        GradCheck.check(in -> in[0].maximum(in[1]), a, b);
        GradCheck.check(in -> in[0].minimum(in[1]), a, b);
        GradCheck.check(in -> in[0].permute(2, 0, 1).mul(in[1].squeeze(1)), a, b);
        GradCheck.check(in -> Tensor.where(in[0].gt(0), in[0], in[1].mul(2)), a, b);
    }

    @Test
    void halfPrecisionComputesThroughF32() {
        Tensor a = Tensor.of(new float[] {1.5f, 2.25f}, 2).to(DType.F16);
        Tensor r = a.mul(a).add(1);
        assertEquals(DType.F16, r.dtype());
        assertClose(new double[] {3.25, 6.0625}, r, 0);
        Tensor bf = Tensor.of(new float[] {1.5f}, 1).to(DType.BF16).exp();
        assertEquals(DType.BF16, bf.dtype());
        assertEquals(Math.exp(1.5), bf.item(), 0.02);
    }
}
