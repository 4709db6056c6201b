package dev.ember.cpu.core;

import dev.ember.core.DType;
import dev.ember.core.Device;
import dev.ember.core.Tensor;
import dev.ember.core.autograd.Autograd;
import dev.ember.core.autograd.GradMode;
import dev.ember.core.dispatch.Dispatcher;
import dev.ember.core.ops.Op;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static dev.ember.core.testing.TensorAssert.assertClose;
import static org.junit.jupiter.api.Assertions.*;

class AutogradTest {

    private static Tensor leaf(double... v) { return Tensor.of(v, v.length).requiresGrad(true); }

    @Test
    void gradientsAccumulateAcrossBackwardCalls() {
        Tensor x = leaf(1, 2, 3);
        x.mul(x).sum().backward();
        assertClose(new double[] {2, 4, 6}, x.grad(), 0);
        x.mul(3).sum().backward();
        assertClose(new double[] {5, 7, 9}, x.grad(), 0);
    }

    @Test
    void nonScalarNeedsAnExplicitGradient() {
        Tensor x = leaf(1, 2);
        Tensor y = x.mul(x);
        var e = assertThrows(IllegalArgumentException.class, y::backward);
        assertTrue(e.getMessage().contains("non-scalar"), e.getMessage());
        y.backward(Tensor.of(new double[] {1, 10}, 2));
        assertClose(new double[] {2, 40}, x.grad(), 0);
    }

    @Test
    void sharedSubexpressionsSumTheirGradients() {
        Tensor x = leaf(2);
        Tensor a = x.mul(3);
        Tensor y = a.mul(a).add(a); // 9x^2 + 3x -> 18x + 3 = 39
        y.sum().backward();
        assertClose(new double[] {39}, x.grad(), 0);
    }

    @Test
    void noGradAndDetachStopRecording() {
        Tensor x = leaf(1, 2);
        try (var g = GradMode.disable()) {
            Tensor y = x.mul(2);
            assertFalse(y.requiresGrad());
            assertNull(y.gradFn());
        }
        Tensor d = x.detach();
        assertFalse(d.requiresGrad());
        assertSame(x.storage(), d.storage());
        Tensor y = x.mul(d).sum(); // d is a constant
        y.backward();
        assertClose(new double[] {1, 2}, x.grad(), 0);
    }

    @Test
    void backwardTwiceNeedsRetainGraph() {
        Tensor x = leaf(3);
        Tensor y = x.exp().sum();
        y.backward();
        var e = assertThrows(IllegalStateException.class, y::backward);
        assertTrue(e.getMessage().contains("retainGraph"), e.getMessage());
        Tensor x2 = leaf(3);
        Tensor z = x2.exp().sum();
        z.backward(Tensor.ones(DType.F64, Device.CPU), true, false);
        z.backward(Tensor.ones(DType.F64, Device.CPU), true, false);
        assertEquals(2 * Math.exp(3), x2.grad().item(), 1e-9);
    }

    @Test
    void secondDerivativeWithCreateGraph() {
        Tensor x = leaf(2);
        Tensor y = x.pow(3).sum();
        Tensor[] g = Autograd.grad(new Tensor[] {y}, null, new Tensor[] {x}, null, true);
        assertClose(new double[] {12}, g[0], 1e-12); // 3x^2
        g[0].sum().backward();
        assertClose(new double[] {12}, x.grad(), 1e-12); // 6x
    }

    @Test
    void hooksSeeAndReplaceGradients() {
        Tensor x = leaf(1, 2);
        List<double[]> seen = new ArrayList<>();
        x.registerHook(g -> {
            seen.add(g.toDoubleArray());
            return g.mul(10);
        });
        Tensor h = x.mul(2);
        h.registerHook(g -> g.add(1));
        h.sum().backward();
        assertClose(new double[] {4, 4}, Tensor.of(seen.get(0), 2), 0); // (1 + 1) * 2
        assertClose(new double[] {40, 40}, x.grad(), 0);
    }

    @Test
    void inPlaceChangeOfASavedTensorIsCaughtAtBackward() {
        Tensor w = leaf(1, 2);
        Tensor x = Tensor.of(new double[] {3, 4}, 2);
        Tensor y = w.mul(x).sum(); // mul saves x for w's gradient
        x.add_(1);
        var e = assertThrows(IllegalStateException.class, y::backward);
        assertTrue(e.getMessage().contains("modified by an in-place op") && e.getMessage().contains("mul"), e.getMessage());
    }

    @Test
    void inPlaceOnATensorThatRequiresGradIsRefusedUnderAutograd() {
        Tensor w = leaf(1, 2);
        var e = assertThrows(IllegalStateException.class, () -> w.add_(1));
        assertTrue(e.getMessage().contains("add_") && e.getMessage().contains("GradMode.disable"), e.getMessage());
        try (var g = GradMode.disable()) {
            w.add_(1); // an optimizer step
        }
        assertClose(new double[] {2, 3}, w, 0);
    }

    @Test
    void integerOutputsDoNotRequireGrad() {
        Tensor x = leaf(1, -2);
        assertFalse(x.gt(0).requiresGrad());
        assertThrows(IllegalArgumentException.class, () -> Tensor.of(new long[] {1}, 1).requiresGrad(true));
    }

    @Test
    void tracingRecordsOutermostCalls() {
        List<String> ops = new ArrayList<>();
        Tensor x = Tensor.of(new float[] {1, -1}, 2);
        try (var t = Dispatcher.trace((Op<?> op, Object attrs, Tensor[] in, Tensor[] out) -> ops.add(op.name()))) {
            x.mul(2).gelu();
        }
        assertEquals(List.of("fill", "mul", "gelu"), ops); // gelu's decomposition is not traced
    }

    @Test
    void autocastRunsPolicyOpsInLowPrecision() {
        Tensor x = Tensor.of(new float[] {1, 2}, 2);
        try (var ac = dev.ember.core.dispatch.Autocast.enable(DType.BF16)) {
            assertEquals(DType.F32, x.exp().dtype()); // exp is on the f32 list
            assertEquals(DType.F32, x.to(DType.BF16).exp().dtype());
        }
        assertEquals(DType.BF16, x.to(DType.BF16).exp().dtype());
    }
}
