package dev.ember.nn.layers;

import dev.ember.core.Tensor;

import java.util.Arrays;

/**
 * Batch normalisation of {@code [N, C]} or {@code [N, C, L]} per channel, as PyTorch's
 * {@code nn.BatchNorm1d} (defaults eps 1e-5, momentum 0.1, affine, tracking running statistics).
 *
 * <pre>{@code
 * BatchNorm1d bn = new BatchNorm1d(128);
 * Tensor y = bn.forward(features);   // [N, 128]
 * }</pre>
 */
public class BatchNorm1d extends BatchNorm {

    public BatchNorm1d(int numFeatures) { this(numFeatures, 1e-5, 0.1, true, true); }

    public BatchNorm1d(int numFeatures, double eps, double momentum, boolean affine, boolean trackRunningStats) {
        super(numFeatures, eps, momentum, affine, trackRunningStats);
    }

    @Override
    protected void checkRank(Tensor x) {
        if (x.dim() != 2 && x.dim() != 3) {
            throw new IllegalArgumentException("BatchNorm1d: expected a 2-d [N, C] or 3-d [N, C, L] input, got shape "
                    + Arrays.toString(x.shape()));
        }
    }
}
