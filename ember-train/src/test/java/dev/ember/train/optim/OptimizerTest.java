package dev.ember.train.optim;

import dev.ember.core.DType;
import dev.ember.core.Tensor;
import dev.ember.nn.Parameter;
import dev.ember.train.schedule.CosineLr;
import dev.ember.train.schedule.LinearWarmupLr;
import dev.ember.train.schedule.OneCycleLr;
import dev.ember.train.schedule.StepLr;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** Each optimizer against an independent scalar transcription of PyTorch's documented algorithm. */
class OptimizerTest {

    private static final double[] W0 = {0.5, -1.5, 2.0};
    private static final double[][] GRADS = {{0.1, -0.2, 0.3}, {-0.4, 0.5, 0.05}, {0.2, 0.2, -0.6}};

    private static double[] run(Optimizer opt, Parameter p) {
        for (double[] g : GRADS) {
            p.data().setGrad(Tensor.of(g, 3));
            opt.step();
        }
        return p.data().toDoubleArray();
    }

    private static Parameter param() { return new Parameter(Tensor.of(W0.clone(), 3)); }

    @Test
    void sgdWithMomentumWeightDecayAndNesterov() {
        for (boolean nesterov : new boolean[] {false, true}) {
            Parameter p = param();
            double[] got = run(new Sgd(List.of(p), 0.1, 0.9, 0.01, nesterov), p);
            double[] w = W0.clone(), buf = new double[3];
            for (int t = 0; t < GRADS.length; t++) {
                for (int i = 0; i < 3; i++) {
                    double d = GRADS[t][i] + 0.01 * w[i];
                    buf[i] = t == 0 ? d : 0.9 * buf[i] + d;
                    double step = nesterov ? d + 0.9 * buf[i] : buf[i];
                    w[i] -= 0.1 * step;
                }
            }
            assertArrayEquals(w, got, 1e-12);
        }
    }

    @Test
    void adamAndAdamW() {
        for (boolean decoupled : new boolean[] {false, true}) {
            Parameter p = param();
            Optimizer opt = decoupled ? Adam.adamW(List.of(p), 0.01, 0.1)
                    : new Adam(List.of(new ParamGroup(List.of(p), java.util.Map.of("lr", 0.01, "weight_decay", 0.1))), java.util.Map.of(), false);
            double[] got = run(opt, p);
            double[] w = W0.clone(), m = new double[3], v = new double[3];
            for (int t = 1; t <= GRADS.length; t++) {
                for (int i = 0; i < 3; i++) {
                    double g = GRADS[t - 1][i];
                    if (decoupled) w[i] *= 1 - 0.01 * 0.1;
                    else g += 0.1 * w[i];
                    m[i] = 0.9 * m[i] + 0.1 * g;
                    v[i] = 0.999 * v[i] + 0.001 * g * g;
                    double mh = m[i] / (1 - Math.pow(0.9, t)), vh = v[i] / (1 - Math.pow(0.999, t));
                    w[i] -= 0.01 * mh / (Math.sqrt(vh) + 1e-8);
                }
            }
            assertArrayEquals(w, got, 1e-9);
        }
    }

    @Test
    void stateRoundTripContinuesIdentically() {
        Parameter a = param(), b = param();
        Adam oa = new Adam(List.of(a), 0.01), ob = new Adam(List.of(b), 0.01);
        a.data().setGrad(Tensor.of(GRADS[0], 3));
        oa.step();
        b.data().setGrad(Tensor.of(GRADS[0], 3));
        ob.step();
        Adam restored = new Adam(List.of(b), 0.01);
        restored.loadStateDict(ob.stateDict());
        restored.loadHyperparameters(ob.hyperparameters());
        for (int t = 1; t < 3; t++) {
            a.data().setGrad(Tensor.of(GRADS[t], 3));
            oa.step();
            b.data().setGrad(Tensor.of(GRADS[t], 3));
            restored.step();
        }
        assertArrayEquals(a.data().toDoubleArray(), b.data().toDoubleArray(), 0);
    }

    @Test
    void gradientClippingByGlobalNorm() {
        Parameter a = new Parameter(Tensor.zeros(2)), b = new Parameter(Tensor.zeros(1));
        a.data().setGrad(Tensor.of(new float[] {3, 0}, 2));
        b.data().setGrad(Tensor.of(new float[] {4}, 1));
        double norm = GradClip.clipGradNorm(List.of(a, b), 1.0);
        assertEquals(5.0, norm, 1e-9);
        assertArrayEquals(new float[] {0.6f, 0}, a.grad().toFloatArray(), 1e-6f);
        assertArrayEquals(new float[] {0.8f}, b.grad().toFloatArray(), 1e-6f);
    }

    @Test
    void schedules() {
        Parameter p = param();
        Sgd opt = new Sgd(List.of(p), 1.0);
        StepLr step = new StepLr(opt, 2, 0.5);
        double[] expect = {1, 1, 0.5, 0.5, 0.25};
        for (double e : expect) {
            assertEquals(e, opt.groups().get(0).lr(), 1e-12);
            step.step();
        }
        CosineLr cos = new CosineLr(new Sgd(List.of(param()), 1.0), 10, 0.0);
        assertEquals(1.0, cos.lr(), 1e-12);
        cos.setStepCount(5);
        assertEquals(0.5, cos.lr(), 1e-12);
        cos.setStepCount(10);
        assertEquals(0.0, cos.lr(), 1e-12);
        LinearWarmupLr warm = new LinearWarmupLr(new Sgd(List.of(param()), 1.0), 4, 0.0);
        assertEquals(0.0, warm.lr(), 1e-12);
        warm.setStepCount(2);
        assertEquals(0.5, warm.lr(), 1e-12);
        warm.setStepCount(9);
        assertEquals(1.0, warm.lr(), 1e-12);
        // OneCycleLR(max_lr=1, total_steps=10): starts at 1/25, peaks at step 2 (pct_start 0.3 -> 3 - 1), ends at 1/25/1e4
        OneCycleLr one = new OneCycleLr(new Sgd(List.of(param()), 1.0), 1.0, 10);
        assertEquals(0.04, one.lr(), 1e-12);
        one.setStepCount(2);
        assertEquals(1.0, one.lr(), 1e-12);
        one.setStepCount(9);
        assertEquals(4e-6, one.lr(), 1e-12);
    }

    @Test
    void dtypeIsKept() {
        Parameter p = new Parameter(Tensor.ones(3).to(DType.F64));
        p.data().setGrad(Tensor.ones(3).to(DType.F64));
        new Sgd(List.of(p), 0.5).step();
        assertEquals(DType.F64, p.data().dtype());
        assertArrayEquals(new double[] {0.5, 0.5, 0.5}, p.data().toDoubleArray());
    }
}
