package dev.ember.nn.zoo;

import dev.ember.core.Tensor;
import dev.ember.core.ops.PoolingOps;
import dev.ember.core.random.Generator;
import dev.ember.nn.Module;
import dev.ember.nn.layers.Conv2d;
import dev.ember.nn.layers.Dropout;
import dev.ember.nn.layers.Linear;

import java.util.Arrays;

/**
 * The CNN of PyTorch's MNIST example: conv3x3(in -> 32) + ReLU, conv3x3(32 -> 64) + ReLU,
 * max-pool 2, dropout 0.25, flatten, linear(64 * ((size - 4) / 2)^2 -> 128) + ReLU, dropout 0.5,
 * linear(128 -> classes). It returns logits. Names match the example: conv1, conv2, fc1, fc2.
 *
 * <pre>{@code
 * SmallCnn cnn = new SmallCnn(1, 10, 28);               // 9216 -> 128 as in the example
 * Tensor logits = cnn.forward(images);                   // [N, 10]
 * }</pre>
 */
public class SmallCnn extends Module {

    private final int inChannels, imageSize;
    private final Conv2d conv1, conv2;
    private final Dropout dropout1, dropout2;
    private final Linear fc1, fc2;

    /** The MNIST network: 1 channel, 10 classes, 28 x 28 images. */
    public SmallCnn() { this(1, 10, 28); }

    public SmallCnn(int inChannels, int classes, int imageSize) { this(inChannels, classes, imageSize, Generator.global()); }

    public SmallCnn(int inChannels, int classes, int imageSize, Generator gen) {
        if (imageSize < 6) throw new IllegalArgumentException("SmallCnn: image size must be at least 6, got " + imageSize);
        this.inChannels = inChannels;
        this.imageSize = imageSize;
        int pooled = (imageSize - 4) / 2;
        conv1 = register("conv1", new Conv2d(inChannels, 32, 3, 1, 0, true, gen));
        conv2 = register("conv2", new Conv2d(32, 64, 3, 1, 0, true, gen));
        dropout1 = register("dropout1", new Dropout(0.25, gen));
        dropout2 = register("dropout2", new Dropout(0.5, gen));
        fc1 = register("fc1", new Linear(64 * pooled * pooled, 128, true, gen));
        fc2 = register("fc2", new Linear(128, classes, true, gen));
    }

    @Override
    public Tensor forward(Tensor x) {
        if (x.dim() != 4 || x.shape(1) != inChannels || x.shape(2) != imageSize || x.shape(3) != imageSize) {
            throw new IllegalArgumentException("SmallCnn: expected input [N, " + inChannels + ", " + imageSize + ", " + imageSize
                    + "], got shape " + Arrays.toString(x.shape()));
        }
        x = conv2.forward(conv1.forward(x).relu()).relu();
        x = PoolingOps.maxPool2d(x, new int[] {2, 2}, null, new int[] {0, 0}, new int[] {1, 1}, false);
        x = dropout1.forward(x).flatten(1, -1);
        x = dropout2.forward(fc1.forward(x).relu());
        return fc2.forward(x);
    }
}
