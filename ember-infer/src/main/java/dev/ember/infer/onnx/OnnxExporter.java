package dev.ember.infer.onnx;

import dev.ember.core.Tensor;
import dev.ember.core.dispatch.Dispatcher;
import dev.ember.infer.onnx.proto.Onnx.ModelProto;
import dev.ember.infer.onnx.proto.Onnx.OperatorSetIdProto;
import dev.ember.nn.Module;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Writes an Ember model as an ONNX file that ONNX Runtime (or any ONNX consumer) can run.
 *
 * <pre>{@code
 * ResNet net = ResNet.resnet18(3, 10, Generator.seeded(0));
 * OnnxExporter.export(net, Path.of("resnet18.onnx"), Tensor.randn(Generator.seeded(1), 2, 3, 224, 224));
 * }</pre>
 *
 * <p>The model's forward runs once, in evaluation mode and without gradients, on the example
 * inputs, while a {@link dev.ember.core.dispatch.Tracer} records every outermost op call. Each
 * call becomes one or a few ONNX nodes ({@code conv2d} a Conv, {@code linear} a Gemm,
 * {@code batch_norm} a BatchNormalization with the running statistics, ...). Parameters and
 * buffers the forward reads become initializers under their state-dict names
 * ({@code layer1.0.conv1.weight}), bit for bit; other tensors it reads become initializers
 * {@code const_N}; values computed from constants alone (the scalar in {@code x.mul(0.5)}) are
 * folded into initializers. Shapes are those of the trace, except that with a dynamic batch
 * (the default) dimension 0 of inputs and outputs is the symbolic {@code batch} and reshapes
 * and resizes carry it through. Trace with a batch of at least 2 so that the batch dimension
 * cannot be mistaken for a size-1 dimension a reshape adds.
 *
 * <p>An op without a mapping is an {@link OnnxExportException} naming the op, its input shapes
 * and the module that called it. Control flow in Java is traced as the path the example took.
 */
public final class OnnxExporter {

    private static final StackWalker WALKER = StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE);

    private OnnxExporter() {}

    /** Exports {@code model.forward(exampleInput)} with the default options (opset 17, dynamic batch). */
    public static void export(Module model, Path out, Tensor... exampleInputs) throws IOException {
        export(model, out, OnnxExportOptions.defaults(), exampleInputs);
    }

    /** Exports {@code model.forward(exampleInput)} (one input, one output). */
    public static void export(Module model, Path out, OnnxExportOptions options, Tensor... exampleInputs) throws IOException {
        write(toModel(model, forwardOf(model, exampleInputs), options, exampleInputs), out);
    }

    /**
     * Exports a function of several inputs and outputs whose parameters belong to {@code model}
     * (they are named after its state dict), for example a block with a skip input.
     */
    public static void export(Module model, Function<Tensor[], Tensor[]> forward, Path out, OnnxExportOptions options,
                              Tensor... exampleInputs) throws IOException {
        write(toModel(model, forward, options, exampleInputs), out);
    }

    /** The ONNX model of {@code model.forward(exampleInput)}, in memory ({@code toByteArray()} gives the file's bytes). */
    public static ModelProto toModel(Module model, OnnxExportOptions options, Tensor... exampleInputs) {
        return toModel(model, forwardOf(model, exampleInputs), options, exampleInputs);
    }

    /** The ONNX model of {@code forward} over {@code exampleInputs}, parameters named after {@code model}. */
    public static ModelProto toModel(Module model, Function<Tensor[], Tensor[]> forward, OnnxExportOptions options, Tensor... exampleInputs) {
        if (exampleInputs.length == 0) throw new IllegalArgumentException("ONNX export: at least one example input is needed");
        List<String> inNames = names(options.inputNames(), "input", exampleInputs.length, "input");
        Trace trace = trace(model, forward, exampleInputs);
        List<String> outNames = names(options.outputNames(), "output", trace.outputs.length, "output");

        OnnxGraphBuilder g = new OnnxGraphBuilder(options.dynamicBatch(), model.stateDict());
        for (int i = 0; i < exampleInputs.length; i++) g.addInput(inNames.get(i), exampleInputs[i]);
        for (TracedCall c : trace.calls) emit(c, g, options.opset(), model);
        for (int i = 0; i < trace.outputs.length; i++) {
            String why = g.unexportableReason(trace.outputs[i]);
            if (why != null) throw new OnnxExportException("ONNX export: output " + i + " is " + why);
            g.addOutput(outNames.get(i), trace.outputs[i]);
        }
        return ModelProto.newBuilder()
                .setIrVersion(irVersion(options.opset()))
                .setProducerName("Ember")
                .setProducerVersion(producerVersion())
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(options.opset()))
                .setGraph(g.build(model.getClass().getSimpleName()))
                .build();
    }

    // ---------------------------------------------------------------- tracing

    private record Trace(List<TracedCall> calls, Tensor[] outputs) {}

    private static Function<Tensor[], Tensor[]> forwardOf(Module model, Tensor[] inputs) {
        if (inputs.length != 1) {
            throw new IllegalArgumentException("ONNX export: " + model.getClass().getSimpleName() + ".forward takes one input but "
                    + inputs.length + " example inputs were given; pass a forward function for several");
        }
        return xs -> new Tensor[] {model.forward(xs[0])};
    }

    /** Runs {@code forward} once in evaluation mode without gradients, recording each op call; restores the modules' modes. */
    private static Trace trace(Module model, Function<Tensor[], Tensor[]> forward, Tensor[] inputs) {
        List<Module> modules = new ArrayList<>();
        List<Boolean> modes = new ArrayList<>();
        model.apply(m -> {
            modules.add(m);
            modes.add(m.isTraining());
        });
        List<TracedCall> calls = new ArrayList<>();
        Tensor[] outputs;
        model.eval();
        try (var _ = Tensor.noGrad(); var _ = Dispatcher.trace((op, attrs, in, out) -> {
            Class<?> caller = OnnxOpMappings.find(op.name()) == null ? callerModule() : null;
            calls.add(new TracedCall(op, attrs, in.clone(), out.clone(), caller));
        })) {
            outputs = forward.apply(inputs.clone());
        } finally {
            // apply() lists children before parents; train(flag) sets a whole subtree, so parents go first
            for (int i = modules.size() - 1; i >= 0; i--) modules.get(i).train(modes.get(i));
        }
        if (outputs == null || outputs.length == 0) throw new IllegalArgumentException("ONNX export: the forward returned no output");
        return new Trace(calls, outputs);
    }

    private static Class<?> callerModule() {
        return WALKER.walk(s -> s.<Class<?>>map(StackWalker.StackFrame::getDeclaringClass)
                .filter(Module.class::isAssignableFrom).findFirst().orElse(null));
    }

    // ---------------------------------------------------------------- emitting

    private static void emit(TracedCall c, OnnxGraphBuilder g, int opset, Module model) {
        boolean allFolded = true;
        for (Tensor t : c.inputs()) {
            String why = g.unexportableReason(t);
            if (why != null) {
                throw new OnnxExportException("ONNX export: op '" + c.op().name() + "' (inputs " + shapes(c) + ")" + where(c, g, model)
                        + " reads " + why + ", which has no ONNX equivalent");
            }
            if (!g.isFolded(t)) allFolded = false;
        }
        // computed from constants alone (fill, then views and arithmetic of it): its traced value is the constant
        if (allFolded && !c.op().name().equals("random")) {
            for (Tensor t : c.outputs()) g.markFolded(t);
            return;
        }
        OnnxOpMappings.Mapping m = OnnxOpMappings.find(c.op().name());
        if (m == null) {
            throw new OnnxExportException("ONNX export: no mapping for op '" + c.op().name() + "' (inputs " + shapes(c) + ")" + where(c, g, model));
        }
        m.emit(c, g, opset);
    }

    private static String shapes(TracedCall c) {
        List<String> s = new ArrayList<>();
        for (Tensor t : c.inputs()) s.add(Arrays.toString(t.shape()));
        return String.join(", ", s);
    }

    /** " in module 'layer1.0.conv1' (Conv2d)": from a parameter the call reads, else from the Java caller's class. */
    private static String where(TracedCall c, OnnxGraphBuilder g, Module model) {
        for (Tensor t : c.inputs()) {
            String n = g.stateName(t);
            if (n != null) {
                String path = n.contains(".") ? n.substring(0, n.lastIndexOf('.')) : "";
                return path.isEmpty() ? " in the model itself" : " in module '" + path + "'";
            }
        }
        if (c.caller() == null) return "";
        Map<String, Module> paths = new LinkedHashMap<>();
        collect(model, "", paths);
        List<String> matches = new ArrayList<>();
        paths.forEach((p, m) -> {
            if (m.getClass() == c.caller()) matches.add(p.isEmpty() ? "<root>" : p);
        });
        String cls = c.caller().getSimpleName();
        if (matches.size() == 1) return " in module '" + matches.getFirst() + "' (" + cls + ")";
        if (matches.isEmpty()) return " called from " + cls;
        return " in a " + cls + " module (one of " + String.join(", ", matches) + ")";
    }

    private static void collect(Module m, String prefix, Map<String, Module> out) {
        out.put(prefix, m);
        m.children().forEach((n, child) -> collect(child, prefix.isEmpty() ? n : prefix + "." + n, out));
    }

    // ---------------------------------------------------------------- file

    private static List<String> names(List<String> given, String base, int n, String what) {
        if (!given.isEmpty()) {
            if (given.size() != n) {
                throw new IllegalArgumentException("ONNX export: " + given.size() + " " + what + " names given for " + n + " " + what + "s: " + given);
            }
            return given;
        }
        if (n == 1) return List.of(base);
        List<String> r = new ArrayList<>();
        for (int i = 0; i < n; i++) r.add(base + "_" + i);
        return r;
    }

    /** The IR version that introduced the opset (ONNX's docs/Versioning.md): 17-18 -> 8, 19-20 -> 9, 21 -> 10. */
    static int irVersion(int opset) { return opset <= 18 ? 8 : opset <= 20 ? 9 : 10; }

    private static String producerVersion() {
        String v = OnnxExporter.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    /** Writes to a temporary file beside {@code out}, then moves it into place, so a crash leaves no half file. */
    private static void write(ModelProto model, Path out) throws IOException {
        Path abs = out.toAbsolutePath();
        Path dir = abs.getParent();
        if (dir != null) Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, abs.getFileName().toString(), ".tmp");
        try {
            try (OutputStream os = Files.newOutputStream(tmp)) {
                model.writeTo(os);
            }
            Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
