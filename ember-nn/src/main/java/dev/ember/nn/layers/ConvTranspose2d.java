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
 * Transposed 2-d convolution ("deconvolution"): weight {@code [in, out/groups, kh, kw]}, bias
 * {@code [out]}; initialised as PyTorch's {@code nn.ConvTranspose2d} (whose fan in is computed
 * from that weight layout, i.e. {@code out/groups * kh * kw}).
 *
 * <pre>{@code
 * ConvTranspose2d up = new ConvTranspose2d(128, 64, 2, 2);   // doubles H and W
 * Tensor y = up.forward(x);                                   // [N, 64, 2H, 2W]
 * }</pre>
 */
public class ConvTranspose2d extends Module {

    private final int inChannels, outChannels, groups;
    private final int[] stride, padding, outputPadding, dilation;
    private final Parameter weight, bias;

    public ConvTranspose2d(int inChannels, int outChannels, int kernel, int stride) {
        this(inChannels, outChannels, kernel, stride, 0, Generator.global());
    }

    public ConvTranspose2d(int inChannels, int outChannels, int kernel, int stride, int padding, Generator gen) {
        this(inChannels, outChannels, new int[] {kernel}, new int[] {stride}, new int[] {padding}, new int[] {0}, 1, true,
                new int[] {1}, gen);
    }

    public ConvTranspose2d(int inChannels, int outChannels, int[] kernel, int[] stride, int[] padding, int[] outputPadding,
                           int groups, boolean bias, int[] dilation, Generator gen) {
        ConvShapes.check("ConvTranspose2d", inChannels, outChannels, groups);
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.groups = groups;
        int[] k = ConvShapes.pair("ConvTranspose2d", "kernel", kernel);
        this.stride = ConvShapes.pair("ConvTranspose2d", "stride", stride);
        this.padding = ConvShapes.pair("ConvTranspose2d", "padding", padding);
        this.outputPadding = ConvShapes.pair("ConvTranspose2d", "outputPadding", outputPadding);
        this.dilation = ConvShapes.pair("ConvTranspose2d", "dilation", dilation);
        Tensor w = Tensor.empty(DType.F32, Device.CPU, inChannels, outChannels / groups, k[0], k[1]);
        this.weight = parameter("weight", Init.defaultWeight(w, gen));
        this.bias = bias ? parameter("bias", Init.defaultBias(Tensor.zeros(outChannels), w.shape(), gen)) : null;
    }

    @Override
    public Tensor forward(Tensor x) {
        if (x.dim() != 4 || x.shape(1) != inChannels) {
            throw new IllegalArgumentException("ConvTranspose2d(" + inChannels + " -> " + outChannels + "): expected input [N, "
                    + inChannels + ", H, W], got shape " + Arrays.toString(x.shape()));
        }
        return ConvOps.convTranspose2d(x, weight.data(), bias == null ? null : bias.data(), stride, padding, outputPadding,
                groups, dilation);
    }

    public Parameter weight() { return weight; }

    /** The bias, or null when built without one. */
    public Parameter bias() { return bias; }
}
