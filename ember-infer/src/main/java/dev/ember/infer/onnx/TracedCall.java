package dev.ember.infer.onnx;

import dev.ember.core.Tensor;
import dev.ember.core.ops.Op;

import java.util.Arrays;

/**
 * One outermost op call recorded while the model ran: op, attributes, inputs and outputs, and
 * the class of the innermost {@code Module} on the Java stack at the time (null if none).
 */
record TracedCall(Op<?> op, Object attrs, Tensor[] inputs, Tensor[] outputs, Class<?> caller) {

    /** {@code [[2, 3], [3]]}: the input shapes, for error messages. */
    String inputShapes() {
        return Arrays.stream(inputs).map(t -> Arrays.toString(t.shape())).toList().toString();
    }
}
