package dev.ember.nn.layers;

import dev.ember.core.DType;
import dev.ember.core.Device;
import dev.ember.core.Tensor;
import dev.ember.core.autograd.GradMode;
import dev.ember.core.ops.NormOps;
import dev.ember.nn.Module;
import dev.ember.nn.Parameter;

import java.util.Arrays;

/**
 * Batch normalisation per channel (dimension 1), the shared part of {@link BatchNorm1d} and
 * {@link BatchNorm2d}. State names are PyTorch's: {@code weight}, {@code bias},
 * {@code running_mean}, {@code running_var} and {@code num_batches_tracked} (i64, 0-d).
 *
 * <p>A momentum of {@code Double.NaN} means PyTorch's {@code momentum=None}: a cumulative
 * average, with factor {@code 1 / num_batches_tracked}.
 */
public abstract class BatchNorm extends Module {

    private final int numFeatures;
    private final double eps, momentum;
    private final Parameter weight, bias;
    private final boolean trackRunningStats;

    protected BatchNorm(int numFeatures, double eps, double momentum, boolean affine, boolean trackRunningStats) {
        if (numFeatures <= 0) throw new IllegalArgumentException(name() + ": numFeatures must be positive, got " + numFeatures);
        if (!(eps > 0)) throw new IllegalArgumentException(name() + ": eps must be positive, got " + eps);
        if (!Double.isNaN(momentum) && !(momentum >= 0 && momentum <= 1)) {
            throw new IllegalArgumentException(name() + ": momentum must be in [0, 1] (or NaN for a cumulative average), got " + momentum);
        }
        this.numFeatures = numFeatures;
        this.eps = eps;
        this.momentum = momentum;
        this.trackRunningStats = trackRunningStats;
        this.weight = affine ? parameter("weight", Tensor.ones(numFeatures)) : null;
        this.bias = affine ? parameter("bias", Tensor.zeros(numFeatures)) : null;
        if (trackRunningStats) {
            buffer("running_mean", Tensor.zeros(numFeatures));
            buffer("running_var", Tensor.ones(numFeatures));
            buffer("num_batches_tracked", Tensor.zeros(DType.I64, Device.CPU));
        }
    }

    /** The layer's name for error messages. */
    protected String name() { return getClass().getSimpleName(); }

    /** Throws unless {@code x} has a rank this layer accepts. */
    protected abstract void checkRank(Tensor x);

    @Override
    public Tensor forward(Tensor x) {
        checkRank(x);
        if (x.shape(1) != numFeatures) {
            throw new IllegalArgumentException(name() + "(" + numFeatures + "): input of shape " + Arrays.toString(x.shape())
                    + " has " + x.shape(1) + " channels");
        }
        boolean useBatchStats = isTraining() || !trackRunningStats;
        double factor = momentum;
        if (isTraining() && trackRunningStats) {
            Tensor count = buffer("num_batches_tracked");
            try (var off = GradMode.disable()) {
                count.add_(1);
            }
            if (Double.isNaN(momentum)) factor = 1.0 / count.item();
        }
        Tensor rm = trackRunningStats ? buffer("running_mean") : null;
        Tensor rv = trackRunningStats ? buffer("running_var") : null;
        // with batch statistics outside training (track_running_stats=False), the running buffers must not be touched
        if (useBatchStats && !isTraining()) rm = rv = null;
        return NormOps.batchNorm(x, rm, rv, weight == null ? null : weight.data(), bias == null ? null : bias.data(),
                useBatchStats, factor, eps);
    }

    public int numFeatures() { return numFeatures; }

    /** The scale, or null when not affine. */
    public Parameter weight() { return weight; }

    /** The shift, or null when not affine. */
    public Parameter bias() { return bias; }

    /** The running mean buffer, or null when running statistics are not tracked. */
    public Tensor runningMean() { return trackRunningStats ? buffer("running_mean") : null; }

    /** The running variance buffer, or null when running statistics are not tracked. */
    public Tensor runningVar() { return trackRunningStats ? buffer("running_var") : null; }

    /** Training batches seen, or -1 when running statistics are not tracked. */
    public long numBatchesTracked() { return trackRunningStats ? (long) buffer("num_batches_tracked").item() : -1; }
}
