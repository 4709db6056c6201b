package dev.ember.infer.onnx;

/**
 * A model that cannot be written as ONNX: an op without a mapping, or an op whose attributes
 * have no ONNX equivalent. The message names the op, its input shapes and, where known, the
 * module that called it.
 */
public class OnnxExportException extends RuntimeException {
    public OnnxExportException(String message) { super(message); }
}
