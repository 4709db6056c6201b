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
 * 2-d convolution over {@code [N, C, H, W]}: weight {@code [out, in/groups, kh, kw]}, bias
 * {@code [out]}; initialised as PyTorch's {@code nn.Conv2d}.
 *
 * <pre>{@code
 * Conv2d conv = new Conv2d(3, 64, 3, 1, 1);          // 3x3, stride 1, padding 1
 * Tensor y = conv.forward(Tensor.randn(gen, 8, 3, 32, 32));   // [8, 64, 32, 32]
 * }</pre>
 */
public class Conv2d extends Module {

    private final int inChannels, outChannels, groups;
    private final int[] kernel, stride, padding, dilation;
    private final Parameter weight, bias;

    public Conv2d(int inChannels, int outChannels, int kernel) { this(inChannels, outChannels, kernel, 1, 0); }

    public Conv2d(int inChannels, int outChannels, int kernel, int stride, int padding) {
        this(inChannels, outChannels, kernel, stride, padding, true, Generator.global());
    }

    public Conv2d(int inChannels, int outChannels, int kernel, int stride, int padding, boolean bias) {
        this(inChannels, outChannels, kernel, stride, padding, bias, Generator.global());
    }

    public Conv2d(int inChannels, int outChannels, int kernel, int stride, int padding, boolean bias, Generator gen) {
        this(inChannels, outChannels, new int[] {kernel, kernel}, new int[] {stride, stride}, new int[] {padding, padding},
                new int[] {1, 1}, 1, bias, gen);
    }

    public Conv2d(int inChannels, int outChannels, int[] kernel, int[] stride, int[] padding, int[] dilation, int groups,
                  boolean bias, Generator gen) {
        ConvShapes.check("Conv2d", inChannels, outChannels, groups);
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.groups = groups;
        this.kernel = ConvShapes.pair("Conv2d", "kernel", kernel);
        this.stride = ConvShapes.pair("Conv2d", "stride", stride);
        this.padding = ConvShapes.pair("Conv2d", "padding", padding);
        this.dilation = ConvShapes.pair("Conv2d", "dilation", dilation);
        Tensor w = Tensor.empty(DType.F32, Device.CPU, outChannels, inChannels / groups, this.kernel[0], this.kernel[1]);
        this.weight = parameter("weight", Init.defaultWeight(w, gen));
        this.bias = bias ? parameter("bias", Init.defaultBias(Tensor.zeros(outChannels), w.shape(), gen)) : null;
    }

    @Override
    public Tensor forward(Tensor x) {
        if (x.dim() != 4 || x.shape(1) != inChannels) {
            throw new IllegalArgumentException("Conv2d(" + inChannels + " -> " + outChannels + "): expected input [N, " + inChannels
                    + ", H, W], got shape " + Arrays.toString(x.shape()));
        }
        return ConvOps.conv2d(x, weight.data(), bias == null ? null : bias.data(), stride, padding, dilation, groups);
    }

    public Parameter weight() { return weight; }

    /** The bias, or null when built without one. */
    public Parameter bias() { return bias; }

    public int inChannels() { return inChannels; }

    public int outChannels() { return outChannels; }
}
