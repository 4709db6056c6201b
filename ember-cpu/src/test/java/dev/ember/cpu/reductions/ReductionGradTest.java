package dev.ember.cpu.reductions;

import dev.ember.core.DType;
import dev.ember.core.Device;
import dev.ember.core.Tensor;
import dev.ember.core.random.Generator;
import dev.ember.core.testing.GradCheck;
import org.junit.jupiter.api.Test;

import static dev.ember.core.testing.TensorAssert.assertClose;

class ReductionGradTest {

    private static Tensor leaf(long seed, int... shape) {
        return Tensor.randn(Generator.seeded(seed), DType.F64, Device.CPU, shape).requiresGrad(true);
    }

    private static final int[][] AXES = {null, {1}, {0, 2}, {-1}};

    @Test
    void varAndStd() {
        Tensor x = leaf(1, 2, 3, 4);
        for (int[] a : AXES) {
            for (boolean keep : new boolean[] {false, true}) {
                GradCheck.check(in -> in[0].var(a, 1, keep), x);
                GradCheck.check(in -> in[0].std(a, 0, keep), x);
            }
        }
        // non-contiguous input, and broadcasting after the reduction
        Tensor y = leaf(2, 4, 3);
        Tensor b = leaf(3, 3, 1);
        GradCheck.check(in -> in[0].transpose(0, 1).var(new int[] {1}, 1, true).mul(in[1]), y, b);
    }

    @Test
    void amaxAminWithoutTies() {
        Tensor x = leaf(4, 3, 4, 5);
        for (int[] a : AXES) {
            for (boolean keep : new boolean[] {false, true}) {
                GradCheck.check(in -> in[0].amax(a, keep), x);
                GradCheck.check(in -> in[0].amin(a, keep), x);
            }
        }
        GradCheck.check(in -> in[0].transpose(0, 2).amax(new int[] {0, 1}, false), x);
    }

    @Test
    void amaxSplitsTheGradientEvenlyAmongTies() {
        Tensor x = Tensor.of(new double[] {1, 3, 3, 2, 5, 0}, 2, 3).requiresGrad(true);
        x.amax(new int[] {1}, false).sum().backward();
        assertClose(new double[] {0, 0.5, 0.5, 0, 1, 0}, x.grad(), 1e-12);
        Tensor z = Tensor.of(new double[] {-1, -1, -1, 4}, 4).requiresGrad(true);
        z.amin(null, false).mul(3).backward();
        assertClose(new double[] {1, 1, 1, 0}, z.grad(), 1e-12);
    }

    @Test
    void maxMinGradientGoesToTheIndex() {
        Tensor x = leaf(5, 3, 4, 2);
        for (int dim : new int[] {0, 1, -1}) {
            for (boolean keep : new boolean[] {false, true}) {
                GradCheck.check(in -> in[0].max(dim, keep).values(), x);
                GradCheck.check(in -> in[0].min(dim, keep).values().mul(2), x);
            }
        }
        GradCheck.check(in -> in[0].transpose(0, 1).max(0, false).values(), x);
        // ties: only the first occurrence receives the gradient
        Tensor t = Tensor.of(new double[] {2, 7, 7, 1}, 4).requiresGrad(true);
        t.max(0, false).values().backward();
        assertClose(new double[] {0, 1, 0, 0}, t.grad(), 0);
    }

    @Test
    void logsumexp() {
        Tensor x = leaf(6, 2, 3, 4);
        for (int[] a : AXES) {
            for (boolean keep : new boolean[] {false, true}) GradCheck.check(in -> in[0].logsumexp(a, keep), x);
        }
        Tensor big = Tensor.of(new double[] {800, 801, -3, 799}, 2, 2).requiresGrad(true);
        GradCheck.check(in -> in[0].logsumexp(new int[] {1}, false), big);
    }

    @Test
    void norms() {
        Tensor x = leaf(7, 3, 4);
        for (double p : new double[] {1, 2, 3, 1.5, 0.7, Double.POSITIVE_INFINITY}) {
            for (int[] a : new int[][] {null, {0}, {-1}}) {
                for (boolean keep : new boolean[] {false, true}) GradCheck.check(in -> in[0].norm(p, a, keep), x);
            }
        }
        GradCheck.check(in -> in[0].t().norm(2, new int[] {1}, false), x);
    }

    @Test
    void normGradientAtZeroIsZeroAndInfinityNormSharesTies() {
        Tensor z = Tensor.zeros(DType.F64, Device.CPU, 2, 3).requiresGrad(true);
        z.norm(2, new int[] {1}, false).sum().backward();
        assertClose(new double[6], z.grad(), 0);
        Tensor w = Tensor.zeros(DType.F64, Device.CPU, 3).requiresGrad(true);
        w.norm(3, null, false).backward();
        assertClose(new double[3], w.grad(), 0);
        Tensor t = Tensor.of(new double[] {-2, 1, 2}, 3).requiresGrad(true);
        t.norm(Double.POSITIVE_INFINITY, null, false).backward();
        assertClose(new double[] {-0.5, 0, 0.5}, t.grad(), 1e-12);
    }

    @Test
    void secondOrderThroughSoftmaxAndNorm() {
        Tensor x = leaf(8, 2, 3);
        Tensor v = leaf(9, 2, 3);
        // d/dx <grad_x softmax(x)·v, 1>: the derivatives are themselves differentiable ops
        GradCheck.check(in -> {
            // finite differences evaluate under no-grad: the inner gradient still needs a graph
            try (var on = dev.ember.core.autograd.GradMode.enable()) {
                Tensor xi = in[0].requiresGrad() ? in[0] : in[0].detach().requiresGrad(true);
                Tensor y = xi.softmax(1).mul(v.detach()).sum().add(xi.norm(3, new int[] {1}, false).sum());
                return dev.ember.core.autograd.Autograd.grad(new Tensor[] {y}, null, new Tensor[] {xi}, null, true)[0];
            }
        }, x);
    }
}
