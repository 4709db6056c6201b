package dev.ember.cpu.reductions;

import dev.ember.core.DType;
import dev.ember.core.Device;
import dev.ember.core.Tensor;
import dev.ember.core.random.Generator;
import dev.ember.core.testing.GradCheck;
import org.junit.jupiter.api.Test;

import static dev.ember.core.testing.TensorAssert.assertClose;
import static dev.ember.core.testing.TensorAssert.assertShape;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SoftmaxTest {

    /** softmax by the textbook formula, per slice along {@code dim} of a row-major array. */
    private static double[] naive(double[] x, int[] shape, int dim, boolean log) {
        int outer = 1, inner = 1, n = shape[dim];
        for (int i = 0; i < dim; i++) outer *= shape[i];
        for (int i = dim + 1; i < shape.length; i++) inner *= shape[i];
        double[] r = new double[x.length];
        for (int o = 0; o < outer; o++) {
            for (int j = 0; j < inner; j++) {
                double s = 0;
                for (int k = 0; k < n; k++) s += Math.exp(x[(o * n + k) * inner + j]);
                for (int k = 0; k < n; k++) {
                    int i = (o * n + k) * inner + j;
                    r[i] = log ? x[i] - Math.log(s) : Math.exp(x[i]) / s;
                }
            }
        }
        return r;
    }

    @Test
    void matchesNaiveOnEveryAxis() {
        int[] shape = {3, 7, 300};
        for (DType d : new DType[] {DType.F32, DType.F64}) {
            Tensor x = Tensor.randn(Generator.seeded(4), d, Device.CPU, shape).mul(3);
            double[] data = x.toDoubleArray();
            for (int dim = -3; dim < 3; dim++) {
                int ax = dim < 0 ? dim + 3 : dim;
                Tensor s = x.softmax(dim), l = x.logSoftmax(dim);
                assertShape(s, shape);
                assertEquals(d, s.dtype());
                assertClose(naive(data, shape, ax, false), s, 1e-5);
                assertClose(naive(data, shape, ax, true), l, 1e-5);
            }
        }
    }

    @Test
    void handValuesAndStability() {
        Tensor x = Tensor.of(new float[] {0, Float.NEGATIVE_INFINITY, 1000, 1000, -1000, 0}, 2, 3);
        double e = Math.exp(1);
        assertClose(new double[] {1 / (1 + e), e / (1 + e)}, Tensor.of(new float[] {0, 1}).softmax(0), 1e-6);
        // rows [0, -inf, 1000] and [1000, -1000, 0]: naive exp would overflow
        assertClose(new double[] {0, 0, 1, 1, 0, 0}, x.softmax(1), 1e-6);
        double[] s = x.softmax(1).toDoubleArray();
        double[] l = x.logSoftmax(1).toDoubleArray();
        assertEquals(-1000, l[0], 1e-3);
        assertEquals(Double.NEGATIVE_INFINITY, l[1]);
        assertEquals(0, l[2], 1e-6);
        assertEquals(-2000, l[4], 1e-3); // finite where softmax underflows to 0
        for (double v : s) assertTrue(!Double.isNaN(v));
    }

    @Test
    void nonContiguousInput() {
        Tensor base = Tensor.randn(Generator.seeded(5), 5, 9);
        Tensor t = base.transpose(0, 1);
        assertClose(t.copy().softmax(1), t.softmax(1), 1e-6);
        assertClose(t.copy().logSoftmax(0), t.logSoftmax(0), 1e-6);
        Tensor s = base.slice(1, 0, 9, 3);
        assertClose(s.copy().softmax(-1), s.softmax(-1), 1e-6);
    }

    @Test
    void gradients() {
        Tensor x = Tensor.randn(Generator.seeded(6), DType.F64, Device.CPU, 3, 4, 2).requiresGrad(true);
        for (int dim = -1; dim < 3; dim++) {
            int d = dim;
            GradCheck.check(in -> in[0].softmax(d), x);
            GradCheck.check(in -> in[0].logSoftmax(d), x);
        }
        GradCheck.check(in -> in[0].transpose(0, 2).softmax(1), x);
        GradCheck.check(in -> in[0].logSoftmax(1).mul(in[0]), x);
    }
}
