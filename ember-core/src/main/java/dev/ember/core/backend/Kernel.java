package dev.ember.core.backend;

import dev.ember.core.Tensor;

/**
 * A backend's implementation of one op. Outputs arrive allocated and contiguous; inputs arrive
 * contiguous unless the op accepts strided inputs, and all on the backend's device.
 */
@FunctionalInterface
public interface Kernel<A> {
    void run(Tensor[] outputs, Tensor[] inputs, A attrs);
}
