package dev.ember.nn.layers;

import dev.ember.core.Tensor;
import dev.ember.core.ops.PoolingOps;
import dev.ember.nn.Module;

/**
 * 2-d average pooling over {@code [N, C, H, W]}; the stride defaults to the kernel size and
 * padding counts in the average unless told otherwise, as PyTorch's {@code nn.AvgPool2d}.
 *
 * <pre>{@code
 * Tensor y = new AvgPool2d(2).forward(x);
 * }</pre>
 */
public class AvgPool2d extends Module {

    private final int[] kernel, stride, padding;
    private final boolean ceilMode, countIncludePad;

    public AvgPool2d(int kernel) { this(kernel, kernel, 0); }

    public AvgPool2d(int kernel, int stride, int padding) {
        this(new int[] {kernel, kernel}, new int[] {stride, stride}, new int[] {padding, padding}, false, true);
    }

    public AvgPool2d(int[] kernel, int[] stride, int[] padding, boolean ceilMode, boolean countIncludePad) {
        this.kernel = ConvShapes.pair("AvgPool2d", "kernel", kernel);
        this.stride = stride == null ? this.kernel : ConvShapes.pair("AvgPool2d", "stride", stride);
        this.padding = ConvShapes.pair("AvgPool2d", "padding", padding);
        this.ceilMode = ceilMode;
        this.countIncludePad = countIncludePad;
    }

    @Override
    public Tensor forward(Tensor x) { return PoolingOps.avgPool2d(x, kernel, stride, padding, ceilMode, countIncludePad); }
}
