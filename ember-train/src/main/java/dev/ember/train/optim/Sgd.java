package dev.ember.train.optim;

import dev.ember.core.Tensor;
import dev.ember.nn.Parameter;

import java.util.List;
import java.util.Map;

/**
 * Stochastic gradient descent with momentum, dampening, Nesterov momentum and weight decay,
 * exactly as {@code torch.optim.SGD}.
 *
 * <pre>{@code
 * var opt = new Sgd(model.parameters(), 0.1, 0.9, 5e-4, true);
 * }</pre>
 */
public final class Sgd extends Optimizer {

    public Sgd(List<Parameter> params, double lr) { this(params, lr, 0, 0, false); }

    public Sgd(List<Parameter> params, double lr, double momentum, double weightDecay, boolean nesterov) {
        this(single(params, lr), Map.of("momentum", momentum, "weight_decay", weightDecay, "nesterov", nesterov ? 1.0 : 0.0, "dampening", 0.0));
    }

    public Sgd(List<ParamGroup> groups, Map<String, Double> defaults) {
        super(groups, withBase(defaults));
        for (ParamGroup g : groups) {
            if (g.get("nesterov") != 0 && (g.get("momentum") <= 0 || g.get("dampening") != 0)) {
                throw new IllegalArgumentException("SGD: Nesterov momentum requires a momentum > 0 and zero dampening");
            }
        }
    }

    private static Map<String, Double> withBase(Map<String, Double> d) {
        var m = new java.util.HashMap<>(Map.of("momentum", 0.0, "weight_decay", 0.0, "nesterov", 0.0, "dampening", 0.0));
        m.putAll(d);
        return m;
    }

    @Override
    protected void update(Parameter p, Tensor grad, ParamGroup g, Map<String, Tensor> s) {
        Tensor w = p.data();
        Tensor d = grad;
        double wd = g.get("weight_decay"), momentum = g.get("momentum"), dampening = g.get("dampening");
        if (wd != 0) d = d.add(w.mul(wd));
        if (momentum != 0) {
            Tensor buf = s.get("momentum_buffer");
            if (buf == null) {
                buf = state(s, "momentum_buffer", d::copy);
            } else {
                buf.mul_(momentum).add_(d, 1 - dampening);
            }
            d = g.get("nesterov") != 0 ? d.add(buf.mul(momentum)) : buf;
        }
        w.sub_(d.mul(g.lr()));
    }
}
