package dev.ember.train.data;

import dev.ember.core.Tensor;

import java.util.Arrays;

/** Shape checks shared by the image transforms, which expect inputs shaped [N, C, H, W]. */
final class ImageBatch {
    private ImageBatch() {}

    static void requireNchw(String op, Tensor x) {
        if (x.dim() != 4) {
            throw new IllegalArgumentException(op + ": input of shape " + Arrays.toString(x.shape())
                    + " is not a batch of images [N, C, H, W]");
        }
    }
}
