package dev.ember.train.optim;

import dev.ember.core.DType;
import dev.ember.core.Device;
import dev.ember.core.Tensor;
import dev.ember.core.dispatch.Dispatcher;
import dev.ember.core.ops.OptimizerOps;
import dev.ember.core.ops.OptimizerOps.AdamStepAttrs;
import dev.ember.nn.Parameter;

import java.util.List;
import java.util.Map;

/**
 * Adam and AdamW ({@code decoupled = true}), following {@code torch.optim.Adam}/{@code AdamW}
 * step for step: L2 weight decay added to the gradient for Adam, decoupled decay of the weights
 * for AdamW, bias-corrected moments, and the AMSGrad variant with the group option
 * {@code amsgrad = 1} (state {@code max_exp_avg_sq}).
 *
 * <pre>{@code
 * var opt = Adam.adamW(model.parameters(), 1e-3, 0.01);
 * }</pre>
 */
public final class Adam extends Optimizer {

    private final boolean decoupled;

    public Adam(List<Parameter> params, double lr) { this(single(params, lr), Map.of(), false); }

    public static Adam adamW(List<Parameter> params, double lr, double weightDecay) {
        return new Adam(single(params, lr), Map.of("weight_decay", weightDecay), true);
    }

    public Adam(List<ParamGroup> groups, Map<String, Double> defaults, boolean decoupled) {
        super(groups, withBase(defaults, decoupled));
        this.decoupled = decoupled;
    }

    private static Map<String, Double> withBase(Map<String, Double> d, boolean decoupled) {
        var m = new java.util.HashMap<>(Map.of("beta1", 0.9, "beta2", 0.999, "eps", 1e-8, "weight_decay", decoupled ? 0.01 : 0.0, "amsgrad", 0.0));
        m.putAll(d);
        return m;
    }

    public boolean isDecoupled() { return decoupled; }

    /** One fused {@link OptimizerOps#ADAM_STEP}; backends without its kernel run the op chain it falls back to. */
    @Override
    protected void update(Parameter p, Tensor grad, ParamGroup g, Map<String, Tensor> s) {
        Tensor w = p.data();
        Tensor step = state(s, "step", () -> Tensor.zeros(DType.F64, Device.CPU));
        step.add_(1);
        boolean amsgrad = g.get("amsgrad") != 0;
        var a = new AdamStepAttrs(g.lr(), g.get("beta1"), g.get("beta2"), g.get("eps"), g.get("weight_decay"), decoupled, amsgrad,
                (long) step.item());
        Tensor m = state(s, "exp_avg", () -> Tensor.zerosLike(w));
        Tensor v = state(s, "exp_avg_sq", () -> Tensor.zerosLike(w));
        if (amsgrad) {
            Tensor vmax = state(s, "max_exp_avg_sq", () -> Tensor.zerosLike(w));
            Dispatcher.update(OptimizerOps.ADAM_STEP, a, w, m, v, vmax, grad);
        } else {
            Dispatcher.update(OptimizerOps.ADAM_STEP, a, w, m, v, grad);
        }
    }
}
