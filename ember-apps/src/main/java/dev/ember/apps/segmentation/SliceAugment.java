package dev.ember.apps.segmentation;

import dev.ember.core.DType;
import dev.ember.core.Tensor;
import dev.ember.core.random.CounterHash;
import dev.ember.core.random.Generator;
import dev.ember.train.data.Batch;
import dev.ember.train.data.Transform;

import java.util.Arrays;

/**
 * Augments image/mask pairs {@code [N, 1, H, W]} together: a left-right flip with probability
 * 1/2, a rotation by up to {@code maxDegrees} and a scaling by up to {@code maxScale} (one
 * bilinear resampling about the centre, the same for image and mask), then an intensity jitter
 * of the image only ({@code x * gain + bias}). Every draw comes from the batch's generator, so
 * the augmented batch is a function of (seed, epoch, batch) and a resumed run sees the same data.
 *
 * <pre>{@code
 * DataLoader loader = DataLoader.builder(train).batchSize(8).shuffle(true).seed(0)
 *         .transform(new SliceAugment(10, 0.1, 0.1, 0.1)).build();
 * }</pre>
 */
public final class SliceAugment implements Transform {

    private static final int DRAWS = 5;

    private final double maxDegrees, maxScale, maxGain, maxBias;

    /**
     * @param maxDegrees rotation drawn uniformly in [-maxDegrees, maxDegrees]
     * @param maxScale   zoom drawn uniformly in [1 - maxScale, 1 + maxScale]
     * @param maxGain    intensity gain in [1 - maxGain, 1 + maxGain]
     * @param maxBias    intensity offset in [-maxBias, maxBias] (in units of the slice's std)
     */
    public SliceAugment(double maxDegrees, double maxScale, double maxGain, double maxBias) {
        if (!(maxDegrees >= 0) || !(maxScale >= 0 && maxScale < 1) || !(maxGain >= 0 && maxGain < 1) || !(maxBias >= 0)) {
            throw new IllegalArgumentException("SliceAugment: maxDegrees " + maxDegrees + " and maxBias " + maxBias
                    + " must be >= 0, maxScale " + maxScale + " and maxGain " + maxGain + " in [0, 1)");
        }
        this.maxDegrees = maxDegrees;
        this.maxScale = maxScale;
        this.maxGain = maxGain;
        this.maxBias = maxBias;
    }

    @Override
    public Batch apply(Batch batch, Generator gen) {
        Tensor x = batch.input(), y = batch.target();
        if (x.dim() != 4 || x.shape(1) != 1 || !Arrays.equals(x.shape(), y.shape())) {
            throw new IllegalArgumentException("SliceAugment: expected image and mask of the same shape [N, 1, H, W], got "
                    + Arrays.toString(x.shape()) + " and " + Arrays.toString(y.shape()));
        }
        int n = x.shape(0), h = x.shape(2), w = x.shape(3), plane = h * w;
        float[] img = x.to(DType.F32).contiguous().toFloatArray();
        float[] mask = y.to(DType.F32).contiguous().toFloatArray();
        float[] imgOut = new float[img.length], maskOut = new float[mask.length];
        long seed = gen.seed(), base = gen.reserve((long) n * DRAWS);
        for (int i = 0; i < n; i++) {
            long c = base + (long) i * DRAWS;
            boolean flip = CounterHash.uniformDouble(seed, c) < 0.5;
            double angle = Math.toRadians(maxDegrees * (2 * CounterHash.uniformDouble(seed, c + 1) - 1));
            double scale = 1 + maxScale * (2 * CounterHash.uniformDouble(seed, c + 2) - 1);
            double gain = 1 + maxGain * (2 * CounterHash.uniformDouble(seed, c + 3) - 1);
            double bias = maxBias * (2 * CounterHash.uniformDouble(seed, c + 4) - 1);
            int off = i * plane;
            float background = Float.POSITIVE_INFINITY;
            for (int k = 0; k < plane; k++) background = Math.min(background, img[off + k]);
            warp(img, imgOut, off, h, w, flip, angle, scale, background);
            warp(mask, maskOut, off, h, w, flip, angle, scale, 0f);
            for (int k = 0; k < plane; k++) imgOut[off + k] = (float) (imgOut[off + k] * gain + bias);
        }
        return new Batch(Tensor.of(imgOut, x.shape()), Tensor.of(maskOut, y.shape()));
    }

    /**
     * Output pixel p samples the input at {@code c + R(-angle) (p - c) / scale} (mirrored in x
     * when flipping), bilinearly; outside the image reads {@code fill}.
     */
    static void warp(float[] src, float[] dst, int off, int h, int w, boolean flip, double angle, double scale, float fill) {
        double cy = (h - 1) / 2.0, cx = (w - 1) / 2.0;
        double cos = Math.cos(angle) / scale, sin = Math.sin(angle) / scale;
        for (int oy = 0; oy < h; oy++) {
            double dy = oy - cy;
            for (int ox = 0; ox < w; ox++) {
                double dx = ox - cx;
                double sx = cx + cos * dx + sin * dy;
                double sy = cy - sin * dx + cos * dy;
                if (flip) sx = w - 1 - sx;
                dst[off + oy * w + ox] = sample(src, off, h, w, sy, sx, fill);
            }
        }
    }

    private static float sample(float[] src, int off, int h, int w, double y, double x, float fill) {
        int y0 = (int) Math.floor(y), x0 = (int) Math.floor(x);
        double fy = y - y0, fx = x - x0;
        double v00 = at(src, off, h, w, y0, x0, fill), v01 = at(src, off, h, w, y0, x0 + 1, fill);
        double v10 = at(src, off, h, w, y0 + 1, x0, fill), v11 = at(src, off, h, w, y0 + 1, x0 + 1, fill);
        return (float) ((v00 * (1 - fx) + v01 * fx) * (1 - fy) + (v10 * (1 - fx) + v11 * fx) * fy);
    }

    private static float at(float[] src, int off, int h, int w, int y, int x, float fill) {
        return y < 0 || y >= h || x < 0 || x >= w ? fill : src[off + y * w + x];
    }
}
