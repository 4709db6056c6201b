package dev.ember.train.data;

import dev.ember.core.random.Generator;

import java.util.List;

/**
 * Transforms applied one after another. Each draws from the same generator in turn, so the
 * random numbers one transform uses do not depend on how many the others use elsewhere.
 *
 * <pre>{@code
 * Transform t = new Compose(new RandomCrop(28, 4), new RandomHorizontalFlip(0.5));
 * }</pre>
 */
public final class Compose implements Transform {

    private final List<Transform> transforms;

    public Compose(Transform... transforms) {
        for (int i = 0; i < transforms.length; i++) {
            if (transforms[i] == null) throw new IllegalArgumentException("Compose: transform " + i + " is null");
        }
        this.transforms = List.of(transforms);
    }

    public List<Transform> transforms() { return transforms; }

    @Override
    public Batch apply(Batch batch, Generator gen) {
        Batch b = batch;
        for (Transform t : transforms) b = t.apply(b, gen);
        return b;
    }
}
