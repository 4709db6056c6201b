package dev.ember.nn.layers;

import dev.ember.core.Tensor;
import dev.ember.core.ops.PoolingOps;
import dev.ember.nn.Module;

/**
 * 2-d max pooling over {@code [N, C, H, W]}; the stride defaults to the kernel size, as
 * PyTorch's {@code nn.MaxPool2d}.
 *
 * <pre>{@code
 * Tensor y = new MaxPool2d(2).forward(x);              // halves H and W
 * Tensor z = new MaxPool2d(3, 2, 1).forward(x);        // ResNet stem
 * }</pre>
 */
public class MaxPool2d extends Module {

    private final int[] kernel, stride, padding, dilation;
    private final boolean ceilMode;

    public MaxPool2d(int kernel) { this(kernel, kernel, 0); }

    public MaxPool2d(int kernel, int stride, int padding) {
        this(new int[] {kernel, kernel}, new int[] {stride, stride}, new int[] {padding, padding}, new int[] {1, 1}, false);
    }

    public MaxPool2d(int[] kernel, int[] stride, int[] padding, int[] dilation, boolean ceilMode) {
        this.kernel = ConvShapes.pair("MaxPool2d", "kernel", kernel);
        this.stride = stride == null ? this.kernel : ConvShapes.pair("MaxPool2d", "stride", stride);
        this.padding = ConvShapes.pair("MaxPool2d", "padding", padding);
        this.dilation = ConvShapes.pair("MaxPool2d", "dilation", dilation);
        this.ceilMode = ceilMode;
    }

    @Override
    public Tensor forward(Tensor x) { return PoolingOps.maxPool2d(x, kernel, stride, padding, dilation, ceilMode); }
}
