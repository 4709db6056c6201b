package dev.ember.train.data;

import dev.ember.core.random.Generator;

/**
 * Mirrors each image of an [N, C, H, W] batch top-to-bottom with probability {@code p}, one
 * draw per image from the generator.
 *
 * <pre>{@code
 * var flip = new RandomVerticalFlip(0.5);
 * }</pre>
 */
public final class RandomVerticalFlip implements Transform {

    private final double p;

    public RandomVerticalFlip(double p) {
        RandomFlip.checkProbability("RandomVerticalFlip", p);
        this.p = p;
    }

    @Override
    public Batch apply(Batch batch, Generator gen) {
        return RandomFlip.apply("RandomVerticalFlip", batch, gen, p, false);
    }
}
