package dev.ember.infer.onnx;

import java.util.List;

/**
 * How {@link OnnxExporter} writes a model: the ONNX opset, the names of the graph's inputs and
 * outputs, and whether dimension 0 of every input and output is a symbolic batch size.
 *
 * <pre>{@code
 * OnnxExportOptions opts = OnnxExportOptions.defaults().withInputNames("image").withOutputNames("logits");
 * OnnxExporter.export(model, Path.of("model.onnx"), opts, Tensor.randn(gen, 2, 3, 224, 224));
 * }</pre>
 *
 * @param opset        the default-domain opset, 17 to 21 (default 17)
 * @param inputNames   one name per example input (empty: {@code input}, or {@code input_0, input_1, ...})
 * @param outputNames  one name per output (empty: {@code output}, or {@code output_0, ...})
 * @param dynamicBatch whether dimension 0 of inputs and outputs is the symbolic {@code batch} (default true)
 */
public record OnnxExportOptions(int opset, List<String> inputNames, List<String> outputNames, boolean dynamicBatch) {

    /** The opsets whose operator definitions this exporter writes. */
    public static final int MIN_OPSET = 17, MAX_OPSET = 21;

    public OnnxExportOptions {
        if (opset < MIN_OPSET || opset > MAX_OPSET) {
            throw new IllegalArgumentException("ONNX export: opset " + opset + " is not supported; use " + MIN_OPSET + " to " + MAX_OPSET);
        }
        inputNames = List.copyOf(inputNames);
        outputNames = List.copyOf(outputNames);
    }

    /** Opset 17, default names, dynamic batch. */
    public static OnnxExportOptions defaults() { return new OnnxExportOptions(17, List.of(), List.of(), true); }

    public OnnxExportOptions withOpset(int v) { return new OnnxExportOptions(v, inputNames, outputNames, dynamicBatch); }

    public OnnxExportOptions withInputNames(String... names) { return new OnnxExportOptions(opset, List.of(names), outputNames, dynamicBatch); }

    public OnnxExportOptions withOutputNames(String... names) { return new OnnxExportOptions(opset, inputNames, List.of(names), dynamicBatch); }

    public OnnxExportOptions withDynamicBatch(boolean v) { return new OnnxExportOptions(opset, inputNames, outputNames, v); }
}
