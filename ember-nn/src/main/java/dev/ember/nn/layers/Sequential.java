package dev.ember.nn.layers;

import dev.ember.core.Tensor;
import dev.ember.nn.Module;

import java.util.ArrayList;
import java.util.List;

/**
 * Modules applied in order; children are named "0", "1", ... as in PyTorch, so state-dict
 * names ({@code 0.weight}, {@code 2.bias}) match an {@code nn.Sequential}.
 *
 * <pre>{@code
 * var model = new Sequential(new Linear(784, 512), new ReLU(), new Linear(512, 10));
 * Tensor logits = model.forward(x);
 * }</pre>
 */
public class Sequential extends Module {

    private final List<Module> layers = new ArrayList<>();

    public Sequential(Module... modules) {
        for (Module m : modules) add(m);
    }

    /** Appends {@code m} under the next index; returns this. */
    public Sequential add(Module m) {
        if (m == null) throw new IllegalArgumentException("Sequential: module " + layers.size() + " is null");
        layers.add(register(Integer.toString(layers.size()), m));
        return this;
    }

    public Module get(int index) {
        if (index < 0 || index >= layers.size()) {
            throw new IndexOutOfBoundsException("Sequential: index " + index + " out of range for " + layers.size() + " modules");
        }
        return layers.get(index);
    }

    public int size() { return layers.size(); }

    @Override
    public Tensor forward(Tensor x) {
        for (Module m : layers) x = m.forward(x);
        return x;
    }
}
