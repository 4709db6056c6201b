package dev.ember.nn.layers;

import dev.ember.core.Tensor;

import java.util.Arrays;

/**
 * Batch normalisation of {@code [N, C, H, W]} per channel, as PyTorch's {@code nn.BatchNorm2d}
 * (defaults eps 1e-5, momentum 0.1, affine, tracking running statistics).
 *
 * <pre>{@code
 * BatchNorm2d bn = new BatchNorm2d(64);
 * Tensor y = bn.forward(x);          // training: batch statistics, running stats updated
 * bn.eval(); y = bn.forward(x);      // evaluation: running statistics
 * }</pre>
 */
public class BatchNorm2d extends BatchNorm {

    public BatchNorm2d(int numFeatures) { this(numFeatures, 1e-5, 0.1, true, true); }

    public BatchNorm2d(int numFeatures, double eps, double momentum, boolean affine, boolean trackRunningStats) {
        super(numFeatures, eps, momentum, affine, trackRunningStats);
    }

    @Override
    protected void checkRank(Tensor x) {
        if (x.dim() != 4) {
            throw new IllegalArgumentException("BatchNorm2d: expected a 4-d input [N, C, H, W], got shape " + Arrays.toString(x.shape()));
        }
    }
}
