package dev.ember.nn.layers;

import dev.ember.core.Tensor;
import dev.ember.core.ops.NormOps;
import dev.ember.nn.Module;
import dev.ember.nn.Parameter;

import java.util.Arrays;

/**
 * Group normalisation of {@code [N, C, ...]}: the C channels split into {@code numGroups}
 * groups, each normalised over its channels and positions, then a per-channel affine map, as
 * PyTorch's {@code nn.GroupNorm}.
 *
 * <pre>{@code
 * GroupNorm gn = new GroupNorm(8, 64);
 * Tensor y = gn.forward(x);   // x [N, 64, H, W]
 * }</pre>
 */
public class GroupNorm extends Module {

    private final int numGroups, numChannels;
    private final double eps;
    private final Parameter weight, bias;

    public GroupNorm(int numGroups, int numChannels) { this(numGroups, numChannels, 1e-5, true); }

    public GroupNorm(int numGroups, int numChannels, double eps, boolean affine) {
        if (numGroups <= 0 || numChannels <= 0 || numChannels % numGroups != 0) {
            throw new IllegalArgumentException("GroupNorm: numChannels " + numChannels + " must be divisible by numGroups " + numGroups
                    + " (both positive)");
        }
        this.numGroups = numGroups;
        this.numChannels = numChannels;
        this.eps = eps;
        this.weight = affine ? parameter("weight", Tensor.ones(numChannels)) : null;
        this.bias = affine ? parameter("bias", Tensor.zeros(numChannels)) : null;
    }

    @Override
    public Tensor forward(Tensor x) {
        if (x.dim() < 2 || x.shape(1) != numChannels) {
            throw new IllegalArgumentException("GroupNorm(" + numGroups + ", " + numChannels + "): expected input [N, " + numChannels
                    + ", ...], got shape " + Arrays.toString(x.shape()));
        }
        return NormOps.groupNorm(x, numGroups, weight == null ? null : weight.data(), bias == null ? null : bias.data(), eps);
    }

    /** The scale, or null when not affine. */
    public Parameter weight() { return weight; }

    /** The shift, or null when not affine. */
    public Parameter bias() { return bias; }
}
