package dev.ember.train.optim;

import dev.ember.nn.Parameter;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Parameters that share hyperparameters (learning rate, weight decay, ...), as PyTorch's
 * param_groups: for example no weight decay on biases and norms.
 */
public final class ParamGroup {

    private final List<Parameter> params;
    private final Map<String, Double> options;

    public ParamGroup(List<Parameter> params, Map<String, Double> options) {
        this.params = List.copyOf(params);
        this.options = new HashMap<>(options);
    }

    public List<Parameter> params() { return params; }

    public double get(String option) {
        Double v = options.get(option);
        if (v == null) throw new IllegalArgumentException("parameter group has no option '" + option + "'; it has " + options.keySet());
        return v;
    }

    public void set(String option, double value) { options.put(option, value); }

    public double lr() { return get("lr"); }

    public void setLr(double lr) { set("lr", lr); }

    Map<String, Double> options() { return options; }

    /** Fills in defaults for options this group does not set. */
    void withDefaults(Map<String, Double> defaults) { defaults.forEach(options::putIfAbsent); }
}
