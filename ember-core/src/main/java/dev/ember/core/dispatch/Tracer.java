package dev.ember.core.dispatch;

import dev.ember.core.Tensor;
import dev.ember.core.ops.Op;

/**
 * Receives the op calls made while tracing is on: the basis for graph capture (inference
 * optimisation, ONNX export, CUDA graphs). Only outermost calls are recorded: the primitives a
 * composite op decomposes into are not.
 */
@FunctionalInterface
public interface Tracer {
    void record(Op<?> op, Object attrs, Tensor[] inputs, Tensor[] outputs);
}
