package dev.ember.nn.layers;

import dev.ember.core.Tensor;
import dev.ember.core.ops.PoolingOps;
import dev.ember.nn.Module;

/**
 * Average pooling of {@code [N, C, H, W]} to a fixed {@code outH x outW}, whatever H and W,
 * as PyTorch's {@code nn.AdaptiveAvgPool2d}.
 *
 * <pre>{@code
 * Tensor pooled = new AdaptiveAvgPool2d(1, 1).forward(features);   // [N, C, 1, 1]
 * }</pre>
 */
public class AdaptiveAvgPool2d extends Module {

    private final int outH, outW;

    public AdaptiveAvgPool2d(int outH, int outW) {
        if (outH <= 0 || outW <= 0) throw new IllegalArgumentException("AdaptiveAvgPool2d: output size " + outH + "x" + outW + " must be positive");
        this.outH = outH;
        this.outW = outW;
    }

    @Override
    public Tensor forward(Tensor x) { return PoolingOps.adaptiveAvgPool2d(x, outH, outW); }
}
