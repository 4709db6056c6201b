package dev.ember.nn.zoo;

import dev.ember.core.random.Generator;
import dev.ember.nn.layers.BatchNorm2d;
import dev.ember.nn.layers.Conv2d;
import dev.ember.nn.layers.ReLU;
import dev.ember.nn.layers.Sequential;

/**
 * The U-Net building block: (conv3x3 without bias - BN - ReLU) twice; keeps H and W.
 * State names {@code 0.weight} (first conv), {@code 1.*} (first BN), {@code 3.weight}, {@code 4.*}.
 *
 * <pre>{@code
 * DoubleConv block = new DoubleConv(64, 128, Generator.seeded(0));
 * }</pre>
 */
public class DoubleConv extends Sequential {

    public DoubleConv(int in, int out, Generator gen) {
        super(new Conv2d(in, out, 3, 1, 1, false, gen), new BatchNorm2d(out), new ReLU(),
                new Conv2d(out, out, 3, 1, 1, false, gen), new BatchNorm2d(out), new ReLU());
    }

}
