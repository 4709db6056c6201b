package dev.ember.nn.layers;

import dev.ember.core.DType;
import dev.ember.core.Device;
import dev.ember.core.Tensor;
import dev.ember.core.ops.ConvOps;
import dev.ember.core.random.Generator;
import dev.ember.nn.Init;
import dev.ember.nn.Module;
import dev.ember.nn.Parameter;

import java.util.Arrays;

/**
 * 1-d convolution over {@code [N, C, L]}: weight {@code [out, in/groups, k]}, bias {@code [out]};
 * initialised as PyTorch's {@code nn.Conv1d}.
 *
 * <pre>{@code
 * Conv1d conv = new Conv1d(16, 32, 5, 1, 2);
 * Tensor y = conv.forward(Tensor.randn(gen, 4, 16, 100));   // [4, 32, 100]
 * }</pre>
 */
public class Conv1d extends Module {

    private final int inChannels, outChannels, kernel, stride, padding, dilation, groups;
    private final Parameter weight, bias;

    public Conv1d(int inChannels, int outChannels, int kernel) { this(inChannels, outChannels, kernel, 1, 0); }

    public Conv1d(int inChannels, int outChannels, int kernel, int stride, int padding) {
        this(inChannels, outChannels, kernel, stride, padding, 1, 1, true, Generator.global());
    }

    public Conv1d(int inChannels, int outChannels, int kernel, int stride, int padding, int dilation, int groups,
                  boolean bias, Generator gen) {
        ConvShapes.check("Conv1d", inChannels, outChannels, groups);
        if (kernel <= 0 || stride <= 0 || padding < 0 || dilation <= 0) {
            throw new IllegalArgumentException("Conv1d: kernel " + kernel + ", stride " + stride + ", padding " + padding
                    + " and dilation " + dilation + " must be positive (padding >= 0)");
        }
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
        this.dilation = dilation;
        this.groups = groups;
        Tensor w = Tensor.empty(DType.F32, Device.CPU, outChannels, inChannels / groups, kernel);
        this.weight = parameter("weight", Init.defaultWeight(w, gen));
        this.bias = bias ? parameter("bias", Init.defaultBias(Tensor.zeros(outChannels), w.shape(), gen)) : null;
    }

    @Override
    public Tensor forward(Tensor x) {
        if (x.dim() != 3 || x.shape(1) != inChannels) {
            throw new IllegalArgumentException("Conv1d(" + inChannels + " -> " + outChannels + "): expected input [N, " + inChannels
                    + ", L], got shape " + Arrays.toString(x.shape()));
        }
        return ConvOps.conv1d(x, weight.data(), bias == null ? null : bias.data(), stride, padding, dilation, groups);
    }

    public Parameter weight() { return weight; }

    /** The bias, or null when built without one. */
    public Parameter bias() { return bias; }
}
