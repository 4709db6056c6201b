package dev.ember.train.data;

import dev.ember.core.DType;
import dev.ember.core.Tensor;
import dev.ember.core.random.Generator;

import java.util.Arrays;

/**
 * {@code (x - mean[c]) / std[c]} for each channel {@code c} of inputs shaped [N, C, ...].
 * Integer inputs are converted to f32 first; floating inputs keep their dtype.
 *
 * <pre>{@code
 * var norm = new Normalize(new double[] {0.1307}, new double[] {0.3081});   // MNIST statistics
 * }</pre>
 */
public final class Normalize implements Transform {

    private final double[] mean;
    private final double[] std;

    public Normalize(double[] mean, double[] std) {
        if (mean.length == 0 || mean.length != std.length) {
            throw new IllegalArgumentException("Normalize: mean " + Arrays.toString(mean) + " and std " + Arrays.toString(std)
                    + " must be non-empty and of the same length");
        }
        for (double s : std) {
            if (!(s > 0)) throw new IllegalArgumentException("Normalize: std must be positive, got " + Arrays.toString(std));
        }
        this.mean = mean.clone();
        this.std = std.clone();
    }

    @Override
    public Batch apply(Batch batch, Generator gen) {
        Tensor x = batch.input();
        if (x.dim() < 2 || x.shape(1) != mean.length) {
            throw new IllegalArgumentException("Normalize: input of shape " + Arrays.toString(x.shape()) + " needs [N, "
                    + mean.length + ", ...] for " + mean.length + " channel statistics");
        }
        DType dt = x.dtype().isFloating() ? x.dtype() : DType.F32;
        int[] statShape = new int[x.dim()];
        Arrays.fill(statShape, 1);
        statShape[1] = mean.length;
        Tensor m = Tensor.of(mean, statShape).to(dt).to(x.device());
        Tensor s = Tensor.of(std, statShape).to(dt).to(x.device());
        return new Batch(x.to(dt).sub(m).div(s), batch.target());
    }
}
