package dev.ember.nn.layers;

import dev.ember.core.Tensor;
import dev.ember.nn.Module;

/**
 * Merges dimensions {@code startDim..endDim} (defaults 1 and -1: everything but the batch), as
 * PyTorch's {@code nn.Flatten}.
 *
 * <pre>{@code
 * Tensor flat = new Flatten().forward(Tensor.zeros(8, 64, 3, 3));   // [8, 576]
 * }</pre>
 */
public class Flatten extends Module {

    private final int startDim, endDim;

    public Flatten() { this(1, -1); }

    public Flatten(int startDim, int endDim) {
        this.startDim = startDim;
        this.endDim = endDim;
    }

    @Override
    public Tensor forward(Tensor x) { return x.flatten(startDim, endDim); }
}
