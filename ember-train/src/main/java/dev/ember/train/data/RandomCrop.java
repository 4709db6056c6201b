package dev.ember.train.data;

import dev.ember.core.Tensor;
import dev.ember.core.random.CounterHash;
import dev.ember.core.random.Generator;

/**
 * Pads each image of an [N, C, H, W] batch with {@code padding} zeros on every side, then cuts
 * a {@code height x width} window at a position drawn per image from the generator. The dtype
 * is kept (u8 images stay u8).
 *
 * <pre>{@code
 * var crop = new RandomCrop(32, 4);   // CIFAR-style augmentation
 * }</pre>
 */
public final class RandomCrop implements Transform {

    private final int height;
    private final int width;
    private final int padding;

    /** A square {@code size x size} crop. */
    public RandomCrop(int size, int padding) { this(size, size, padding); }

    public RandomCrop(int height, int width, int padding) {
        if (height <= 0 || width <= 0 || padding < 0) {
            throw new IllegalArgumentException("RandomCrop: size " + height + "x" + width + " must be positive and padding "
                    + padding + " non-negative");
        }
        this.height = height;
        this.width = width;
        this.padding = padding;
    }

    @Override
    public Batch apply(Batch batch, Generator gen) {
        Tensor x = batch.input();
        ImageBatch.requireNchw("RandomCrop", x);
        int n = x.shape(0), c = x.shape(1), h = x.shape(2), w = x.shape(3);
        int rangeY = h + 2 * padding - height + 1;
        int rangeX = w + 2 * padding - width + 1;
        if (rangeY <= 0 || rangeX <= 0) {
            throw new IllegalArgumentException("RandomCrop: crop " + height + "x" + width + " is larger than the padded image "
                    + (h + 2 * padding) + "x" + (w + 2 * padding));
        }
        int es = x.dtype().byteSize();
        byte[] src = HostTensors.bytes(x);
        byte[] dst = new byte[n * c * height * width * es];
        long seed = gen.seed();
        long base = gen.reserve(2L * n);
        for (int i = 0; i < n; i++) {
            // top/left in padded coordinates; subtracting padding gives the source row/column
            int top = (int) CounterHash.integer(seed, base + 2L * i, 0, rangeY) - padding;
            int left = (int) CounterHash.integer(seed, base + 2L * i + 1, 0, rangeX) - padding;
            int x0 = Math.max(0, -left), x1 = Math.min(width, w - left);
            for (int ch = 0; ch < c; ch++) {
                int srcPlane = (i * c + ch) * h * w;
                int dstPlane = (i * c + ch) * height * width;
                for (int y = 0; y < height; y++) {
                    int sy = top + y;
                    if (sy < 0 || sy >= h || x1 <= x0) continue;
                    System.arraycopy(src, (srcPlane + sy * w + left + x0) * es, dst, (dstPlane + y * width + x0) * es, (x1 - x0) * es);
                }
            }
        }
        return new Batch(HostTensors.fromBytes(dst, x.dtype(), n, c, height, width), batch.target());
    }
}
