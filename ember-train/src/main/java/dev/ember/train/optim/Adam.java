package dev.ember.train.optim;

import dev.ember.core.Tensor;
import dev.ember.nn.Parameter;

import java.util.List;
import java.util.Map;

/**
 * Adam and AdamW ({@code decoupled = true}), following {@code torch.optim.Adam}/{@code AdamW}
 * step for step: L2 weight decay added to the gradient for Adam, decoupled decay of the weights
 * for AdamW, bias-corrected moments.
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
        var m = new java.util.HashMap<>(Map.of("beta1", 0.9, "beta2", 0.999, "eps", 1e-8, "weight_decay", decoupled ? 0.01 : 0.0));
        m.putAll(d);
        return m;
    }

    public boolean isDecoupled() { return decoupled; }

    @Override
    protected void update(Parameter p, Tensor grad, ParamGroup g, Map<String, Tensor> s) {
        Tensor w = p.data();
        double lr = g.lr(), b1 = g.get("beta1"), b2 = g.get("beta2"), eps = g.get("eps"), wd = g.get("weight_decay");
        Tensor step = state(s, "step", () -> Tensor.zeros(dev.ember.core.DType.F64, dev.ember.core.Device.CPU));
        step.add_(1);
        double t = step.item();
        if (wd != 0) {
            if (decoupled) w.mul_(1 - lr * wd);
            else grad = grad.add(w.mul(wd));
        }
        Tensor m = state(s, "exp_avg", () -> Tensor.zerosLike(w));
        Tensor v = state(s, "exp_avg_sq", () -> Tensor.zerosLike(w));
        m.mul_(b1).add_(grad, 1 - b1);
        v.mul_(b2).add_(grad.mul(grad), 1 - b2);
        double bc1 = 1 - Math.pow(b1, t), bc2 = 1 - Math.pow(b2, t);
        Tensor denom = v.sqrt().div(Math.sqrt(bc2)).add(eps);
        w.sub_(m.div(denom).mul(lr / bc1));
    }
}
