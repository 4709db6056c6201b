package dev.ember.train.optim;

import dev.ember.core.Tensor;
import dev.ember.core.autograd.GradMode;
import dev.ember.core.memory.MemoryScope;
import dev.ember.nn.Parameter;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Updates parameters from their gradients. State tensors (momentum, moments) are kept per
 * parameter and exported by name for checkpoints, so a resumed run continues exactly.
 */
public abstract class Optimizer {

    protected final List<ParamGroup> groups;
    /** Per parameter: named state tensors (and a step count under "step"). */
    private final Map<Parameter, Map<String, Tensor>> state = new HashMap<>();

    protected Optimizer(List<ParamGroup> groups, Map<String, Double> defaults) {
        if (groups.isEmpty()) throw new IllegalArgumentException(getClass().getSimpleName() + ": no parameter groups");
        this.groups = List.copyOf(groups);
        for (ParamGroup g : this.groups) g.withDefaults(defaults);
    }

    protected static List<ParamGroup> single(List<Parameter> params, double lr) {
        if (params.isEmpty()) throw new IllegalArgumentException("optimizer got an empty parameter list");
        return List.of(new ParamGroup(params, Map.of("lr", lr)));
    }

    public List<ParamGroup> groups() { return groups; }

    /** One update of every parameter that has a gradient. */
    public final void step() {
        try (var off = GradMode.disable()) {
            for (ParamGroup g : groups) {
                for (Parameter p : g.params()) {
                    if (p.grad() == null) continue;
                    update(p, p.grad(), g, state.computeIfAbsent(p, k -> new LinkedHashMap<>()));
                }
            }
        }
    }

    /** Updates one parameter in place; {@code s} holds its state tensors. */
    protected abstract void update(Parameter p, Tensor grad, ParamGroup g, Map<String, Tensor> s);

    /** A state tensor, created with {@code init} on first use and kept out of memory scopes. */
    protected static Tensor state(Map<String, Tensor> s, String name, java.util.function.Supplier<Tensor> init) {
        return s.computeIfAbsent(name, k -> MemoryScope.keepAlive(init.get()));
    }

    public void zeroGrad() {
        for (ParamGroup g : groups) for (Parameter p : g.params()) p.zeroGrad();
    }

    /** State tensors named {@code <param index>.<name>}, parameters indexed over all groups in order. */
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        List<Parameter> all = allParams();
        for (int i = 0; i < all.size(); i++) {
            Map<String, Tensor> s = state.get(all.get(i));
            if (s == null) continue;
            int idx = i;
            s.forEach((n, t) -> out.put(idx + "." + n, t));
        }
        return out;
    }

    /** Restores what {@link #stateDict()} gave, copying onto each parameter's device. */
    public void loadStateDict(Map<String, Tensor> dict) {
        List<Parameter> all = allParams();
        state.clear();
        for (var e : dict.entrySet()) {
            String key = e.getKey();
            int dot = key.indexOf('.');
            int idx;
            try {
                idx = Integer.parseInt(key.substring(0, dot));
            } catch (RuntimeException ex) {
                throw new IllegalArgumentException("optimizer state: bad key '" + key + "'");
            }
            if (idx < 0 || idx >= all.size()) {
                throw new IllegalArgumentException("optimizer state names parameter " + idx + " but the optimizer has " + all.size());
            }
            Parameter p = all.get(idx);
            Tensor t = e.getValue().to(p.data().device()).copy();
            state.computeIfAbsent(p, k -> new LinkedHashMap<>()).put(key.substring(dot + 1), MemoryScope.keepAlive(t));
        }
    }

    /** Learning rate and other options per group, for checkpoints. */
    public List<Map<String, Double>> hyperparameters() {
        List<Map<String, Double>> out = new ArrayList<>();
        for (ParamGroup g : groups) out.add(new HashMap<>(g.options()));
        return out;
    }

    public void loadHyperparameters(List<Map<String, Double>> hp) {
        if (hp.size() != groups.size()) {
            throw new IllegalArgumentException("checkpoint has " + hp.size() + " parameter groups, optimizer has " + groups.size());
        }
        for (int i = 0; i < hp.size(); i++) hp.get(i).forEach(groups.get(i)::set);
    }

    private List<Parameter> allParams() {
        List<Parameter> all = new ArrayList<>();
        for (ParamGroup g : groups) all.addAll(g.params());
        return all;
    }
}
