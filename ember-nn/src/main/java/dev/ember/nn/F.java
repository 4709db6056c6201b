package dev.ember.nn;

import dev.ember.core.Tensor;
import dev.ember.core.ops.ConvOps;
import dev.ember.core.ops.DropoutOps;
import dev.ember.core.ops.ElementwiseOps;
import dev.ember.core.ops.IndexingOps;
import dev.ember.core.ops.LinalgOps;
import dev.ember.core.ops.LossOps;
import dev.ember.core.ops.NormOps;
import dev.ember.core.ops.PadMode;
import dev.ember.core.ops.PoolingOps;
import dev.ember.core.ops.Reduction;
import dev.ember.core.ops.ReductionOps;
import dev.ember.core.random.Generator;

/**
 * The functional interface, as {@code torch.nn.functional}: stateless static functions that
 * delegate to the core op families, for code that keeps its own parameters.
 *
 * <pre>{@code
 * Tensor h = F.relu(F.linear(x, w1, b1));
 * Tensor loss = F.crossEntropy(F.linear(h, w2, b2), labels);
 * loss.backward();
 * }</pre>
 */
public final class F {

    private F() {}

    // ---------------------------------------------------------------- activations

    /** <pre>{@code Tensor y = F.relu(x);}</pre> */
    public static Tensor relu(Tensor x) { return ElementwiseOps.relu(x); }

    /** <pre>{@code Tensor y = F.leakyRelu(x, 0.2);}</pre> */
    public static Tensor leakyRelu(Tensor x, double negativeSlope) { return ElementwiseOps.leakyRelu(x, negativeSlope); }

    /** Exact (erf) GELU. <pre>{@code Tensor y = F.gelu(x);}</pre> */
    public static Tensor gelu(Tensor x) { return ElementwiseOps.gelu(x, false); }

    /** GELU, exact or with the tanh approximation. <pre>{@code Tensor y = F.gelu(x, true);}</pre> */
    public static Tensor gelu(Tensor x, boolean tanhApproximation) { return ElementwiseOps.gelu(x, tanhApproximation); }

    /** <pre>{@code Tensor y = F.silu(x);}</pre> */
    public static Tensor silu(Tensor x) { return ElementwiseOps.silu(x); }

    /** <pre>{@code Tensor p = F.sigmoid(logits);}</pre> */
    public static Tensor sigmoid(Tensor x) { return ElementwiseOps.sigmoid(x); }

    /** <pre>{@code Tensor y = F.tanh(x);}</pre> */
    public static Tensor tanh(Tensor x) { return ElementwiseOps.tanh(x); }

    /** {@code log(1 + exp(beta x)) / beta}, linear above threshold. <pre>{@code Tensor y = F.softplus(x, 1, 20);}</pre> */
    public static Tensor softplus(Tensor x, double beta, double threshold) { return ElementwiseOps.softplus(x, beta, threshold); }

    /** <pre>{@code Tensor probs = F.softmax(logits, -1);}</pre> */
    public static Tensor softmax(Tensor x, int dim) { return ReductionOps.softmax(x, dim); }

    /** <pre>{@code Tensor logp = F.logSoftmax(logits, 1);}</pre> */
    public static Tensor logSoftmax(Tensor x, int dim) { return ReductionOps.logSoftmax(x, dim); }

    // ---------------------------------------------------------------- linear and convolution

    /** {@code x W^T + b}; bias may be null. <pre>{@code Tensor y = F.linear(x, w, b);   // w [out, in]}</pre> */
    public static Tensor linear(Tensor x, Tensor weight, Tensor bias) { return LinalgOps.linear(x, weight, bias); }

    /** <pre>{@code Tensor c = F.matmul(a, b);}</pre> */
    public static Tensor matmul(Tensor a, Tensor b) { return LinalgOps.matmul(a, b); }

    /**
     * 2-d convolution with equal stride and padding in both dimensions, no dilation, one group.
     * <pre>{@code Tensor y = F.conv2d(x, w, b, 1, 1);   // 3x3 "same" convolution}</pre>
     */
    public static Tensor conv2d(Tensor x, Tensor weight, Tensor bias, int stride, int padding) {
        return ConvOps.conv2d(x, weight, bias, new int[] {stride, stride}, new int[] {padding, padding}, new int[] {1, 1}, 1);
    }

    /** The full 2-d convolution. <pre>{@code Tensor y = F.conv2d(x, w, null, new int[] {2, 2}, new int[] {3, 3}, new int[] {1, 1}, 1);}</pre> */
    public static Tensor conv2d(Tensor x, Tensor weight, Tensor bias, int[] stride, int[] padding, int[] dilation, int groups) {
        return ConvOps.conv2d(x, weight, bias, stride, padding, dilation, groups);
    }

    /** <pre>{@code Tensor y = F.conv1d(x, w, b, 1, 2, 1, 1);}</pre> */
    public static Tensor conv1d(Tensor x, Tensor weight, Tensor bias, int stride, int padding, int dilation, int groups) {
        return ConvOps.conv1d(x, weight, bias, stride, padding, dilation, groups);
    }

    /** <pre>{@code Tensor up = F.convTranspose2d(x, w, b, new int[] {2, 2}, new int[] {0, 0}, new int[] {0, 0}, 1, new int[] {1, 1});}</pre> */
    public static Tensor convTranspose2d(Tensor x, Tensor weight, Tensor bias, int[] stride, int[] padding, int[] outputPadding,
                                         int groups, int[] dilation) {
        return ConvOps.convTranspose2d(x, weight, bias, stride, padding, outputPadding, groups, dilation);
    }

    // ---------------------------------------------------------------- pooling and resizing

    /** Max pooling with stride = kernel, no padding. <pre>{@code Tensor y = F.maxPool2d(x, 2);}</pre> */
    public static Tensor maxPool2d(Tensor x, int kernel) { return maxPool2d(x, kernel, kernel, 0); }

    /** <pre>{@code Tensor y = F.maxPool2d(x, 3, 2, 1);}</pre> */
    public static Tensor maxPool2d(Tensor x, int kernel, int stride, int padding) {
        return PoolingOps.maxPool2d(x, new int[] {kernel, kernel}, new int[] {stride, stride}, new int[] {padding, padding},
                new int[] {1, 1}, false);
    }

    /** Average pooling with stride = kernel, no padding. <pre>{@code Tensor y = F.avgPool2d(x, 2);}</pre> */
    public static Tensor avgPool2d(Tensor x, int kernel) { return avgPool2d(x, kernel, kernel, 0); }

    /** <pre>{@code Tensor y = F.avgPool2d(x, 3, 1, 1);}</pre> */
    public static Tensor avgPool2d(Tensor x, int kernel, int stride, int padding) {
        return PoolingOps.avgPool2d(x, new int[] {kernel, kernel}, new int[] {stride, stride}, new int[] {padding, padding}, false, true);
    }

    /** <pre>{@code Tensor g = F.adaptiveAvgPool2d(x, 1, 1);}</pre> */
    public static Tensor adaptiveAvgPool2d(Tensor x, int outH, int outW) { return PoolingOps.adaptiveAvgPool2d(x, outH, outW); }

    /** <pre>{@code Tensor up = F.upsampleNearest2d(x, 64, 64);}</pre> */
    public static Tensor upsampleNearest2d(Tensor x, int outH, int outW) { return PoolingOps.upsampleNearest2d(x, outH, outW); }

    /** <pre>{@code Tensor up = F.upsampleBilinear2d(x, 64, 64, false);}</pre> */
    public static Tensor upsampleBilinear2d(Tensor x, int outH, int outW, boolean alignCorners) {
        return PoolingOps.upsampleBilinear2d(x, outH, outW, alignCorners);
    }

    // ---------------------------------------------------------------- dropout and normalisation

    /** Inverted dropout from the global generator. <pre>{@code Tensor y = F.dropout(x, 0.5, model.isTraining());}</pre> */
    public static Tensor dropout(Tensor x, double p, boolean training) { return DropoutOps.dropout(x, p, training, null); }

    /** <pre>{@code Tensor y = F.dropout(x, 0.5, true, Generator.seeded(1));}</pre> */
    public static Tensor dropout(Tensor x, double p, boolean training, Generator gen) { return DropoutOps.dropout(x, p, training, gen); }

    /** <pre>{@code Tensor y = F.layerNorm(x, new int[] {512}, gamma, beta, 1e-5);}</pre> */
    public static Tensor layerNorm(Tensor x, int[] normalizedShape, Tensor weight, Tensor bias, double eps) {
        return NormOps.layerNorm(x, normalizedShape, weight, bias, eps);
    }

    /**
     * Batch normalisation; running statistics (may be null in training) are updated in place.
     * <pre>{@code Tensor y = F.batchNorm(x, runningMean, runningVar, gamma, beta, true, 0.1, 1e-5);}</pre>
     */
    public static Tensor batchNorm(Tensor x, Tensor runningMean, Tensor runningVar, Tensor weight, Tensor bias,
                                   boolean training, double momentum, double eps) {
        return NormOps.batchNorm(x, runningMean, runningVar, weight, bias, training, momentum, eps);
    }

    /** <pre>{@code Tensor y = F.groupNorm(x, 8, gamma, beta, 1e-5);}</pre> */
    public static Tensor groupNorm(Tensor x, int numGroups, Tensor weight, Tensor bias, double eps) {
        return NormOps.groupNorm(x, numGroups, weight, bias, eps);
    }

    // ---------------------------------------------------------------- losses

    /** Mean cross entropy of logits {@code [N, C, ...]} against class indices. <pre>{@code Tensor loss = F.crossEntropy(logits, labels);}</pre> */
    public static Tensor crossEntropy(Tensor logits, Tensor target) { return LossOps.crossEntropy(logits, target); }

    /**
     * Cross entropy with class weights (or null), an ignored index (-100 in PyTorch), label
     * smoothing and a reduction.
     * <pre>{@code Tensor loss = F.crossEntropy(logits, labels, null, -100, 0.1, Reduction.MEAN);}</pre>
     */
    public static Tensor crossEntropy(Tensor logits, Tensor target, Tensor weight, int ignoreIndex, double labelSmoothing, Reduction r) {
        return LossOps.crossEntropy(logits, target, weight, ignoreIndex, labelSmoothing, r);
    }

    /** Mean negative log likelihood of log-probabilities. <pre>{@code Tensor loss = F.nllLoss(F.logSoftmax(z, 1), labels);}</pre> */
    public static Tensor nllLoss(Tensor logProbs, Tensor target) { return LossOps.nllLoss(logProbs, target, null, -100, Reduction.MEAN); }

    /** <pre>{@code Tensor loss = F.nllLoss(logp, labels, classWeights, -100, Reduction.SUM);}</pre> */
    public static Tensor nllLoss(Tensor logProbs, Tensor target, Tensor weight, int ignoreIndex, Reduction r) {
        return LossOps.nllLoss(logProbs, target, weight, ignoreIndex, r);
    }

    /** Mean squared error. <pre>{@code Tensor loss = F.mseLoss(pred, target);}</pre> */
    public static Tensor mseLoss(Tensor input, Tensor target) { return LossOps.mseLoss(input, target, Reduction.MEAN); }

    /** <pre>{@code Tensor perElement = F.mseLoss(pred, target, Reduction.NONE);}</pre> */
    public static Tensor mseLoss(Tensor input, Tensor target, Reduction r) { return LossOps.mseLoss(input, target, r); }

    /** Mean absolute error. <pre>{@code Tensor loss = F.l1Loss(pred, target);}</pre> */
    public static Tensor l1Loss(Tensor input, Tensor target) { return LossOps.l1Loss(input, target, Reduction.MEAN); }

    /** <pre>{@code Tensor loss = F.l1Loss(pred, target, Reduction.SUM);}</pre> */
    public static Tensor l1Loss(Tensor input, Tensor target, Reduction r) { return LossOps.l1Loss(input, target, r); }

    /** Mean binary cross entropy of probabilities. <pre>{@code Tensor loss = F.binaryCrossEntropy(F.sigmoid(z), y);}</pre> */
    public static Tensor binaryCrossEntropy(Tensor probs, Tensor target) {
        return LossOps.binaryCrossEntropy(probs, target, null, Reduction.MEAN);
    }

    /** <pre>{@code Tensor loss = F.binaryCrossEntropy(p, y, weights, Reduction.SUM);}</pre> */
    public static Tensor binaryCrossEntropy(Tensor probs, Tensor target, Tensor weight, Reduction r) {
        return LossOps.binaryCrossEntropy(probs, target, weight, r);
    }

    /** Mean binary cross entropy of logits (numerically stable). <pre>{@code Tensor loss = F.binaryCrossEntropyWithLogits(z, y);}</pre> */
    public static Tensor binaryCrossEntropyWithLogits(Tensor logits, Tensor target) {
        return LossOps.binaryCrossEntropyWithLogits(logits, target, null, null, Reduction.MEAN);
    }

    /** <pre>{@code Tensor loss = F.binaryCrossEntropyWithLogits(z, y, null, posWeight, Reduction.MEAN);}</pre> */
    public static Tensor binaryCrossEntropyWithLogits(Tensor logits, Tensor target, Tensor weight, Tensor posWeight, Reduction r) {
        return LossOps.binaryCrossEntropyWithLogits(logits, target, weight, posWeight, r);
    }

    // ---------------------------------------------------------------- indexing

    /** Rows of {@code weight} at {@code indices}. <pre>{@code Tensor e = F.embedding(ids, table);}</pre> */
    public static Tensor embedding(Tensor indices, Tensor weight) { return IndexingOps.embedding(weight, indices); }

    /** <pre>{@code Tensor c = F.cat(new Tensor[] {a, b}, 1);}</pre> */
    public static Tensor cat(Tensor[] tensors, int dim) { return IndexingOps.cat(tensors, dim); }

    /** <pre>{@code Tensor s = F.stack(new Tensor[] {a, b}, 0);}</pre> */
    public static Tensor stack(Tensor[] tensors, int dim) { return IndexingOps.stack(tensors, dim); }

    /** <pre>{@code Tensor[] parts = F.split(x, 2, 0);}</pre> */
    public static Tensor[] split(Tensor x, int splitSize, int dim) { return IndexingOps.split(x, splitSize, dim); }

    /** <pre>{@code Tensor[] qkv = F.chunk(x, 3, -1);}</pre> */
    public static Tensor[] chunk(Tensor x, int chunks, int dim) { return IndexingOps.chunk(x, chunks, dim); }

    /** <pre>{@code Tensor g = F.gather(x, 1, idx);}</pre> */
    public static Tensor gather(Tensor x, int dim, Tensor index) { return IndexingOps.gather(x, dim, index); }

    /** <pre>{@code Tensor rows = F.indexSelect(x, 0, idx);}</pre> */
    public static Tensor indexSelect(Tensor x, int dim, Tensor index) { return IndexingOps.indexSelect(x, dim, index); }

    /** Constant (zero) padding, PyTorch order (last dimension first). <pre>{@code Tensor y = F.pad(x, new int[] {1, 1, 1, 1});}</pre> */
    public static Tensor pad(Tensor x, int[] pads) { return IndexingOps.pad(x, pads, PadMode.CONSTANT, 0); }

    /** <pre>{@code Tensor y = F.pad(x, new int[] {2, 2}, PadMode.REFLECT, 0);}</pre> */
    public static Tensor pad(Tensor x, int[] pads, PadMode mode, double value) { return IndexingOps.pad(x, pads, mode, value); }

    /** <pre>{@code Tensor oh = F.oneHot(labels, 10);}</pre> */
    public static Tensor oneHot(Tensor indices, int numClasses) { return IndexingOps.oneHot(indices, numClasses); }
}
