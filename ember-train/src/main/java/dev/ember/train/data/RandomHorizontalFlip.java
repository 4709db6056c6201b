package dev.ember.train.data;

import dev.ember.core.random.Generator;

/**
 * Mirrors each image of an [N, C, H, W] batch left-to-right with probability {@code p}, one
 * draw per image from the generator.
 *
 * <pre>{@code
 * var flip = new RandomHorizontalFlip(0.5);
 * }</pre>
 */
public final class RandomHorizontalFlip implements Transform {

    private final double p;

    public RandomHorizontalFlip(double p) {
        RandomFlip.checkProbability("RandomHorizontalFlip", p);
        this.p = p;
    }

    @Override
    public Batch apply(Batch batch, Generator gen) {
        return RandomFlip.apply("RandomHorizontalFlip", batch, gen, p, true);
    }
}
