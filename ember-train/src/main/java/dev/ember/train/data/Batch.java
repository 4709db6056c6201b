package dev.ember.train.data;

import dev.ember.core.Device;
import dev.ember.core.Tensor;

/** A batch: inputs stacked along dimension 0 and the matching targets. */
public record Batch(Tensor input, Tensor target) {
    public int size() { return input.shape(0); }

    public Batch to(Device device) { return new Batch(input.to(device), target.to(device)); }
}
