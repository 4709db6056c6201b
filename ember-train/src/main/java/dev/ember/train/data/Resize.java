package dev.ember.train.data;

import dev.ember.core.DType;
import dev.ember.core.Tensor;
import dev.ember.core.random.Generator;

/**
 * Bilinear resize of an [N, C, H, W] batch to {@code height x width}, with the pixel-centre
 * convention of PyTorch's {@code interpolate(mode="bilinear", align_corners=False)} and no
 * antialiasing. The output is f64 for f64 inputs and f32 otherwise.
 *
 * <pre>{@code
 * var resize = new Resize(32, 32);   // 28x28 MNIST to 32x32 for LeNet-5
 * }</pre>
 */
public final class Resize implements Transform {

    private final int height;
    private final int width;

    public Resize(int height, int width) {
        if (height <= 0 || width <= 0) {
            throw new IllegalArgumentException("Resize: size " + height + "x" + width + " must be positive");
        }
        this.height = height;
        this.width = width;
    }

    @Override
    public Batch apply(Batch batch, Generator gen) {
        Tensor x = batch.input();
        ImageBatch.requireNchw("Resize", x);
        int n = x.shape(0), c = x.shape(1), h = x.shape(2), w = x.shape(3);
        if (h == 0 || w == 0) {
            throw new IllegalArgumentException("Resize: cannot resize empty images of shape " + java.util.Arrays.toString(x.shape()));
        }
        double[] src = x.toDoubleArray();
        double[] dst = new double[n * c * height * width];
        int[] y0 = new int[height], y1 = new int[height];
        double[] wy = new double[height];
        axis(h, height, y0, y1, wy);
        int[] x0 = new int[width], x1 = new int[width];
        double[] wx = new double[width];
        axis(w, width, x0, x1, wx);
        for (int plane = 0; plane < n * c; plane++) {
            int s = plane * h * w, d = plane * height * width;
            for (int oy = 0; oy < height; oy++) {
                int r0 = s + y0[oy] * w, r1 = s + y1[oy] * w;
                double fy = wy[oy];
                for (int ox = 0; ox < width; ox++) {
                    double fx = wx[ox];
                    double top = src[r0 + x0[ox]] * (1 - fx) + src[r0 + x1[ox]] * fx;
                    double bottom = src[r1 + x0[ox]] * (1 - fx) + src[r1 + x1[ox]] * fx;
                    dst[d + oy * width + ox] = top * (1 - fy) + bottom * fy;
                }
            }
        }
        Tensor out = Tensor.of(dst, n, c, height, width);
        return new Batch(x.dtype() == DType.F64 ? out : out.to(DType.F32), batch.target());
    }

    /** Source neighbours and weight of each output coordinate (half-pixel centres, clamped at the border). */
    private static void axis(int in, int out, int[] lo, int[] hi, double[] frac) {
        double scale = (double) in / out;
        for (int o = 0; o < out; o++) {
            double src = Math.max((o + 0.5) * scale - 0.5, 0);
            int i0 = Math.min((int) src, in - 1);
            lo[o] = i0;
            hi[o] = Math.min(i0 + 1, in - 1);
            frac[o] = src - i0;
        }
    }
}
