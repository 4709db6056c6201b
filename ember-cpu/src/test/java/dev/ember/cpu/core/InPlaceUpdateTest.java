package dev.ember.cpu.core;

import dev.ember.core.DType;
import dev.ember.core.Device;
import dev.ember.core.Tensor;
import dev.ember.core.autograd.GradMode;
import dev.ember.core.dispatch.Dispatcher;
import dev.ember.core.ops.OptimizerOps;
import dev.ember.core.ops.OptimizerOps.AdamStepAttrs;
import dev.ember.core.ops.OptimizerOps.SgdStepAttrs;
import dev.ember.core.random.Generator;
import org.junit.jupiter.api.Test;

import static dev.ember.core.testing.TensorAssert.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code Dispatcher.update}: the kernel where it applies, the op's fallback chain where it does
 * not (a non-contiguous target, a dtype without a kernel), the same values either way, version
 * bumps, and the refusals.
 */
class InPlaceUpdateTest {

    private static Tensor randn(long seed, DType d, int... shape) { return Tensor.randn(Generator.seeded(seed), d, Device.CPU, shape); }

    @Test
    void nonContiguousTargetsTakeTheFallbackWithTheSameResult() {
        SgdStepAttrs a = new SgdStepAttrs(0.1, 0.9, 0.1, 0.01, false, false);
        Tensor w = randn(1, DType.F32, 7, 9), buf = randn(2, DType.F32, 7, 9), g = randn(3, DType.F32, 7, 9);
        // the same values laid out transposed, then viewed back: a non-contiguous [7, 9]
        Tensor wt = w.transpose(0, 1).contiguous().transpose(0, 1), buft = buf.transpose(0, 1).contiguous().transpose(0, 1);
        assertTrue(!wt.isContiguous());
        Dispatcher.update(OptimizerOps.SGD_STEP, a, w, buf, g);
        Dispatcher.update(OptimizerOps.SGD_STEP, a, wt, buft, g);
        assertClose(w, wt, 1e-6);
        assertClose(buf, buft, 1e-6);
    }

    @Test
    void aDtypeWithoutKernelRunsTheOpChain() {
        AdamStepAttrs a = new AdamStepAttrs(0.01, 0.9, 0.999, 1e-8, 0.01, true, true, 3);
        Tensor[] f32 = {randn(4, DType.F32, 50), randn(5, DType.F32, 50), randn(6, DType.F32, 50).abs(), randn(7, DType.F32, 50).abs()};
        Tensor g = randn(8, DType.F32, 50);
        Tensor[] half = new Tensor[4];
        for (int i = 0; i < 4; i++) half[i] = f32[i].to(DType.BF16).to(DType.F32).to(DType.BF16);
        Tensor[] exact = new Tensor[4];
        for (int i = 0; i < 4; i++) exact[i] = half[i].to(DType.F32);
        Dispatcher.update(OptimizerOps.ADAM_STEP, a, exact[0], exact[1], exact[2], exact[3], g.to(DType.BF16).to(DType.F32));
        Dispatcher.update(OptimizerOps.ADAM_STEP, a, half[0], half[1], half[2], half[3], g.to(DType.BF16));
        assertEquals(DType.BF16, half[0].dtype());
        for (int i = 0; i < 4; i++) assertClose(exact[i], half[i].to(DType.F32), 0.05);
    }

    @Test
    void versionsAreBumpedAndGradModeRefusesLeavesThatNeedGrad() {
        Tensor w = randn(9, DType.F32, 4), g = randn(10, DType.F32, 4);
        int v = w.version();
        Dispatcher.update(OptimizerOps.SGD_STEP, new SgdStepAttrs(0.1, 0, 0, 0, false, false), w, g);
        assertEquals(v + 1, w.version());
        Tensor leaf = randn(11, DType.F32, 4).requiresGrad(true);
        var e = assertThrows(IllegalStateException.class,
                () -> Dispatcher.update(OptimizerOps.SGD_STEP, new SgdStepAttrs(0.1, 0, 0, 0, false, false), leaf, g));
        assertTrue(e.getMessage().contains("sgd_step"), e.getMessage());
        try (var off = GradMode.disable()) {
            Dispatcher.update(OptimizerOps.SGD_STEP, new SgdStepAttrs(0.1, 0, 0, 0, false, false), leaf, g);
        }
    }

    @Test
    void badShapesNameTheOpAndTheTensors() {
        var e = assertThrows(IllegalArgumentException.class, () -> Dispatcher.update(OptimizerOps.ADAM_STEP,
                new AdamStepAttrs(0.01, 0.9, 0.999, 1e-8, 0, false, false, 1), Tensor.zeros(3), Tensor.zeros(3), Tensor.zeros(4), Tensor.zeros(3)));
        assertTrue(e.getMessage().contains("adam_step") && e.getMessage().contains("exp_avg_sq") && e.getMessage().contains("[4]"),
                e.getMessage());
    }
}
