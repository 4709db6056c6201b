package dev.ember.train.optim;

import dev.ember.core.Tensor;
import dev.ember.core.dispatch.Dispatcher;
import dev.ember.core.ops.OptimizerOps;
import dev.ember.core.ops.OptimizerOps.SgdStepAttrs;
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

    /** One fused {@link OptimizerOps#SGD_STEP}; backends without its kernel run the op chain it falls back to. */
    @Override
    protected void update(Parameter p, Tensor grad, ParamGroup g, Map<String, Tensor> s) {
        Tensor w = p.data();
        double momentum = g.get("momentum");
        boolean first = !s.containsKey("momentum_buffer");
        var a = new SgdStepAttrs(g.lr(), momentum, g.get("dampening"), g.get("weight_decay"), g.get("nesterov") != 0, first);
        if (!a.hasBuffer()) {
            Dispatcher.update(OptimizerOps.SGD_STEP, a, w, grad);
            return;
        }
        // the first step overwrites the buffer with the gradient, so it starts uninitialised
        Tensor buf = state(s, "momentum_buffer", () -> Tensor.empty(w.dtype(), w.device(), w.shape()));
        Dispatcher.update(OptimizerOps.SGD_STEP, a, w, buf, grad);
    }
}
