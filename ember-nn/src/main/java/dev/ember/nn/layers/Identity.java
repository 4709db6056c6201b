package dev.ember.nn.layers;

import dev.ember.core.Tensor;
import dev.ember.nn.Module;

/**
 * Returns its input; a placeholder where a layer is optional, as PyTorch's {@code nn.Identity}.
 *
 * <pre>{@code
 * Tensor y = new Identity().forward(x);
 * }</pre>
 */
public class Identity extends Module {

    @Override
    public Tensor forward(Tensor x) { return x; }
}
