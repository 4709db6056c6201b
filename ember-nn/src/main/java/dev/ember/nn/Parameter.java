package dev.ember.nn;

import dev.ember.core.Device;
import dev.ember.core.Tensor;
import dev.ember.core.memory.MemoryScope;

/**
 * A learnable tensor of a {@link Module}. It is a holder, so that moving a model to another
 * device or loading a state dict replaces the tensor while optimizers keep the same Parameter.
 */
public final class Parameter {

    private Tensor data;

    public Parameter(Tensor data) { set(data); }

    /** The current value: a leaf tensor that requires grad. */
    public Tensor data() { return data; }

    public Tensor grad() { return data.grad(); }

    public void zeroGrad() { data.setGrad(null); }

    /** Replaces the value with a detached leaf copy of {@code value} that requires grad. */
    public void set(Tensor value) {
        Tensor leaf = value.isLeaf() && !value.requiresGrad() ? value : value.detach();
        if (leaf.dtype().isFloating()) leaf.requiresGrad(true);
        MemoryScope.keepAlive(leaf);
        this.data = leaf;
    }

    public void to(Device device) {
        if (!data.device().equals(device)) {
            Tensor g = data.grad();
            set(data.detach().to(device));
            if (g != null) data.setGrad(MemoryScope.keepAlive(g.to(device)));
        }
    }

    @Override
    public String toString() { return "Parameter" + java.util.Arrays.toString(data.shape()) + " " + data.dtype(); }
}
