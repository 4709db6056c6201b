package dev.ember.train.optim;

import dev.ember.core.DType;
import dev.ember.core.Device;
import dev.ember.core.Tensor;
import dev.ember.core.autograd.GradMode;
import dev.ember.core.random.Generator;
import dev.ember.nn.Parameter;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static dev.ember.core.testing.TensorAssert.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fused optimizer steps against the op chains the optimizers ran before them (kept here,
 * verbatim, as the reference), over several steps and every option, for f32 parameters of sizes
 * that cover the vector loop, its tail and the parallel split.
 */
class FusedStepTest {

    private static final int STEPS = 4;
    /** A vector tail only; several vectors plus a tail; more than one parallel chunk. */
    private static final int[] SIZES = {5, 1003, 2 * 65536 + 7};
    private static final int LARGE = 10_000;

    private static Tensor randn(long seed, int n) { return Tensor.randn(Generator.seeded(seed), DType.F32, Device.CPU, n); }

    /** torch.optim.SGD as a chain of tensor ops: the optimizer's former update. */
    private static void sgdChain(Tensor w, Tensor grad, Map<String, Tensor> s, double lr, double momentum, double dampening,
                                 double wd, boolean nesterov) {
        Tensor d = grad;
        if (wd != 0) d = d.add(w.mul(wd));
        if (momentum != 0) {
            Tensor buf = s.get("momentum_buffer");
            if (buf == null) {
                buf = d.copy();
                s.put("momentum_buffer", buf);
            } else {
                buf.mul_(momentum).add_(d, 1 - dampening);
            }
            d = nesterov ? d.add(buf.mul(momentum)) : buf;
        }
        w.sub_(d.mul(lr));
    }

    /** torch.optim.Adam/AdamW as a chain of tensor ops: the optimizer's former update, plus AMSGrad's maximum. */
    private static void adamChain(Tensor w, Tensor grad, Map<String, Tensor> s, int t, double lr, double b1, double b2, double eps,
                                  double wd, boolean decoupled, boolean amsgrad) {
        if (wd != 0) {
            if (decoupled) w.mul_(1 - lr * wd);
            else grad = grad.add(w.mul(wd));
        }
        Tensor m = s.computeIfAbsent("exp_avg", k -> Tensor.zerosLike(w));
        Tensor v = s.computeIfAbsent("exp_avg_sq", k -> Tensor.zerosLike(w));
        m.mul_(b1).add_(grad, 1 - b1);
        v.mul_(b2).add_(grad.mul(grad), 1 - b2);
        double bc1 = 1 - Math.pow(b1, t), bc2 = 1 - Math.pow(b2, t);
        if (amsgrad) {
            Tensor vmax = s.computeIfAbsent("max_exp_avg_sq", k -> Tensor.zerosLike(w));
            vmax.copy_(vmax.maximum(v));
            v = vmax;
        }
        Tensor denom = v.sqrt().div(Math.sqrt(bc2)).add(eps);
        w.sub_(m.div(denom).mul(lr / bc1));
    }

    @Test
    void sgdMatchesTheOpChainForEveryOption() {
        double[][] options = { // momentum, dampening, weight decay, nesterov
                {0, 0, 0, 0}, {0, 0, 0.01, 0}, {0.9, 0, 0, 0}, {0.9, 0.1, 0.01, 0}, {0.9, 0, 0.01, 1}, {0.5, 0, 0, 1}};
        for (int n : SIZES) {
            for (double[] o : options) {
                if (n > LARGE && o[0] == 0) continue; // the large size (parallel split) with the momentum variants only
                Parameter p = new Parameter(randn(1, n));
                Tensor ref = p.data().detach().copy();
                Map<String, Double> hp = Map.of("lr", 0.05, "momentum", o[0], "dampening", o[1], "weight_decay", o[2], "nesterov", o[3]);
                Sgd opt = new Sgd(List.of(new ParamGroup(List.of(p), hp)), Map.of());
                Map<String, Tensor> state = new HashMap<>();
                for (int t = 0; t < STEPS; t++) {
                    Tensor g = randn(100 + t, n);
                    p.data().setGrad(g);
                    opt.step();
                    try (var off = GradMode.disable()) {
                        sgdChain(ref, g, state, 0.05, o[0], o[1], o[2], o[3] != 0);
                    }
                }
                assertClose(ref, p.data(), 1e-6);
                if (o[0] != 0) assertClose(state.get("momentum_buffer"), opt.stateDict().get("0.momentum_buffer"), 1e-6);
            }
        }
    }

    @Test
    void adamAndAdamWMatchTheOpChainForEveryOption() {
        for (int n : SIZES) {
            for (boolean decoupled : new boolean[] {false, true}) {
                for (double wd : new double[] {0, 0.05}) {
                    for (boolean amsgrad : new boolean[] {false, true}) {
                        if (n > LARGE && (wd == 0 || amsgrad != decoupled)) continue; // the large size: two variants
                        Parameter p = new Parameter(randn(2, n));
                        Tensor ref = p.data().detach().copy();
                        Map<String, Double> hp = Map.of("lr", 0.01, "beta1", 0.8, "beta2", 0.99, "eps", 1e-6,
                                "weight_decay", wd, "amsgrad", amsgrad ? 1.0 : 0.0);
                        Adam opt = new Adam(List.of(new ParamGroup(List.of(p), hp)), Map.of(), decoupled);
                        Map<String, Tensor> state = new HashMap<>();
                        for (int t = 1; t <= STEPS; t++) {
                            // shrinking gradients, so AMSGrad's maximum differs from the current second moment
                            Tensor g = randn(200 + t, n).mul(1.0 / t);
                            p.data().setGrad(g);
                            opt.step();
                            try (var off = GradMode.disable()) {
                                adamChain(ref, g, state, t, 0.01, 0.8, 0.99, 1e-6, wd, decoupled, amsgrad);
                            }
                        }
                        String what = "n=" + n + " decoupled=" + decoupled + " wd=" + wd + " amsgrad=" + amsgrad;
                        assertClose(ref, p.data(), 1e-6);
                        Map<String, Tensor> sd = opt.stateDict();
                        assertClose(state.get("exp_avg"), sd.get("0.exp_avg"), 1e-6);
                        assertClose(state.get("exp_avg_sq"), sd.get("0.exp_avg_sq"), 1e-6);
                        assertEquals(amsgrad, sd.containsKey("0.max_exp_avg_sq"), what);
                        assertEquals(STEPS, sd.get("0.step").item(), what);
                    }
                }
            }
        }
    }

    @Test
    void stepBumpsTheParameterVersion() {
        Parameter p = new Parameter(randn(3, 10));
        int before = p.data().version();
        p.data().setGrad(randn(4, 10));
        Adam.adamW(List.of(p), 1e-3, 0.01).step();
        assertTrue(p.data().version() > before, "an in-place step must bump the version counter");
    }
}
