package dev.ember.infer.onnx;

/**
 * A model that cannot be written as ONNX: an op without a mapping, or an op whose attributes
 * have no ONNX equivalent. The message names the op, its input shapes and, where known, the
 * module that called it.
 *
 * <pre>{@code
 * try {
 *     OnnxExporter.export(model, Path.of("model.onnx"), example);
 * } catch (OnnxExportException e) {
 *     System.err.println(e.getMessage());   // ONNX export: no mapping for op 'var' (inputs [2, 3]) in module '1' (Variance)
 * }
 * }</pre>
 */
public class OnnxExportException extends RuntimeException {
    public OnnxExportException(String message) { super(message); }
}
