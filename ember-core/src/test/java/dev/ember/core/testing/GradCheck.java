package dev.ember.core.testing;

import dev.ember.core.DType;
import dev.ember.core.Tensor;
import dev.ember.core.autograd.GradMode;
import dev.ember.core.random.Generator;

import java.util.Arrays;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Checks autograd's gradients against central finite differences in f64, independently of
 * any derivative formula. The output is projected on a fixed random tensor so every output
 * element contributes, then each input element is nudged by ±eps.
 *
 * <pre>{@code
 * Tensor x = Tensor.randn(Generator.seeded(1), DType.F64, Device.CPU, 3, 4).requiresGrad(true);
 * GradCheck.check(in -> in[0].tanh().transpose(0, 1), x);
 * }</pre>
 */
public final class GradCheck {

    private GradCheck() {}

    public static void check(Function<Tensor[], Tensor> f, Tensor... inputs) {
        check(f, 1e-6, 1e-5, 1e-4, inputs);
    }

    public static void check(Function<Tensor[], Tensor> f, double eps, double atol, double rtol, Tensor... inputs) {
        for (Tensor t : inputs) {
            if (t.dtype() != DType.F64) throw new IllegalArgumentException("GradCheck wants f64 inputs, got " + t.dtype());
        }
        Tensor out = f.apply(inputs);
        Tensor proj = Tensor.randn(Generator.seeded(1234), DType.F64, out.device(), out.shape());
        for (Tensor t : inputs) t.setGrad(null);
        Tensor loss = out.to(DType.F64).mul(proj).sum();
        loss.backward();
        double[] projection = proj.toDoubleArray();

        for (int k = 0; k < inputs.length; k++) {
            if (!inputs[k].requiresGrad()) continue;
            double[] base = inputs[k].toDoubleArray();
            Tensor g = inputs[k].grad();
            double[] analytic = g == null ? new double[base.length] : g.toDoubleArray();
            for (int j = 0; j < base.length; j++) {
                double plus = evaluate(f, inputs, k, base, j, eps, projection);
                double minus = evaluate(f, inputs, k, base, j, -eps, projection);
                double numeric = (plus - minus) / (2 * eps);
                if (!(Math.abs(analytic[j] - numeric) <= atol + rtol * Math.abs(numeric))) {
                    fail("gradient mismatch for input " + k + " (shape " + Arrays.toString(inputs[k].shape()) + ") at flat index " + j
                            + ": autograd " + analytic[j] + " vs finite difference " + numeric);
                }
            }
        }
    }

    private static double evaluate(Function<Tensor[], Tensor> f, Tensor[] inputs, int k, double[] base, int j, double delta,
                                   double[] projection) {
        double[] v = base.clone();
        v[j] += delta;
        Tensor[] in = inputs.clone();
        in[k] = Tensor.of(v, inputs[k].shape()).to(inputs[k].device());
        try (var off = GradMode.disable()) {
            double[] y = f.apply(in).to(DType.F64).toDoubleArray();
            double s = 0;
            for (int i = 0; i < y.length; i++) s += y[i] * projection[i];
            return s;
        }
    }
}
