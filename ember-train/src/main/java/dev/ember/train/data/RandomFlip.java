package dev.ember.train.data;

import dev.ember.core.Tensor;
import dev.ember.core.random.CounterHash;
import dev.ember.core.random.Generator;

/** The shared body of the horizontal and vertical flips: one draw per image, dtype kept. */
final class RandomFlip {
    private RandomFlip() {}

    static Batch apply(String op, Batch batch, Generator gen, double p, boolean horizontal) {
        Tensor x = batch.input();
        ImageBatch.requireNchw(op, x);
        int n = x.shape(0), c = x.shape(1), h = x.shape(2), w = x.shape(3);
        int es = x.dtype().byteSize();
        byte[] src = HostTensors.bytes(x);
        byte[] dst = src.clone();
        long seed = gen.seed();
        long base = gen.reserve(n);
        int rowBytes = w * es;
        for (int i = 0; i < n; i++) {
            if (!(CounterHash.uniformDouble(seed, base + i) < p)) continue;
            for (int ch = 0; ch < c; ch++) {
                int plane = (i * c + ch) * h * w * es;
                for (int y = 0; y < h; y++) {
                    if (horizontal) {
                        int row = plane + y * rowBytes;
                        for (int xx = 0; xx < w; xx++) {
                            System.arraycopy(src, row + (w - 1 - xx) * es, dst, row + xx * es, es);
                        }
                    } else {
                        System.arraycopy(src, plane + (h - 1 - y) * rowBytes, dst, plane + y * rowBytes, rowBytes);
                    }
                }
            }
        }
        return new Batch(HostTensors.fromBytes(dst, x.dtype(), x.shape()), batch.target());
    }

    static void checkProbability(String op, double p) {
        if (!(p >= 0 && p <= 1)) throw new IllegalArgumentException(op + ": probability " + p + " is not in [0, 1]");
    }
}
