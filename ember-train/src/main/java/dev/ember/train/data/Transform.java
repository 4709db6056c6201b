package dev.ember.train.data;

import dev.ember.core.random.Generator;

/**
 * A change applied to a whole batch, usually inside the {@link DataLoader}'s worker threads.
 * Random transforms draw only from {@code gen}; the loader hands each batch a generator derived
 * from (seed, epoch, batch index), so augmentations are bit-reproducible whatever the number of
 * workers and when an epoch is resumed at batch k.
 *
 * <pre>{@code
 * Transform t = Transform.compose(new RandomHorizontalFlip(0.5), new Normalize(new double[] {0.1307}, new double[] {0.3081}));
 * Batch out = t.apply(batch, Generator.seeded(7));
 * }</pre>
 */
@FunctionalInterface
public interface Transform {

    /** The transformed batch; {@code gen} is the only source of randomness allowed. */
    Batch apply(Batch batch, Generator gen);

    /** Applies {@code transforms} in order, all drawing from the same generator. */
    static Transform compose(Transform... transforms) {
        return new Compose(transforms);
    }
}
