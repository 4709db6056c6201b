package dev.ember.bench.compare;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.ember.bench.BenchModels;
import dev.ember.bench.Engine;
import dev.ember.bench.Timing;
import dev.ember.core.Tensor;
import dev.ember.core.memory.MemoryScope;
import dev.ember.core.random.Generator;
import dev.ember.cpu.CpuParallel;
import dev.ember.infer.onnx.OnnxExporter;
import dev.ember.nn.zoo.ResNet;

import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * W5 through ONNX Runtime: Ember's own ResNet-18 ({@link BenchModels#w5ResNet18}, the weights
 * Ember times) exported with {@link OnnxExporter} and run by ONNX Runtime's CPU provider with
 * as many intra-op threads as Ember uses and every graph optimisation on. Before timing, one
 * batch runs through both and the outputs must agree to 1e-3 of their scale. The other
 * workloads are training steps or a bare GEMM, which ONNX Runtime (an inference engine) is not
 * for; they are reported as skipped.
 */
public final class OrtEngine implements Engine {

    private final OrtEnvironment env = OrtEnvironment.getEnvironment();

    @Override
    public String name() { return "onnxruntime"; }

    @Override
    public Map<String, Double> run(String w, int reps, int warmup) throws Exception {
        return switch (w) {
            case "W5" -> resnet18Inference(reps, warmup);
            case "W1" -> throw new UnsupportedOperationException("W1 is a bare GEMM; ONNX Runtime " + env.getVersion()
                    + " runs whole models (compare GEMM with openblas)");
            default -> throw new UnsupportedOperationException(w + " is a training step; ONNX Runtime " + env.getVersion()
                    + " is an inference engine");
        };
    }

    private Map<String, Double> resnet18Inference(int reps, int warmup) throws Exception {
        ResNet model = BenchModels.w5ResNet18();
        model.eval();
        Generator gen = Generator.seeded(1);
        Path file = Files.createTempFile("ember-w5-resnet18", ".onnx");
        try (OrtSession.SessionOptions opts = new OrtSession.SessionOptions()) {
            // traced at batch 2 so that the batch dimension is told apart from size-1 dimensions
            OnnxExporter.export(model, file, Tensor.randn(gen, 2, 3, 224, 224));
            opts.setIntraOpNumThreads(CpuParallel.threads());
            opts.setInterOpNumThreads(1);
            opts.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            opts.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            try (OrtSession session = env.createSession(file.toString(), opts)) {
                check(model, session, Tensor.randn(gen, 2, 3, 224, 224));
                Map<String, Double> r = new LinkedHashMap<>();
                for (int batch : new int[] {1, 32}) {
                    Tensor x = Tensor.randn(gen, batch, 3, 224, 224);
                    try (OnnxTensor in = input(x)) {
                        r.putAll(Timing.stepMetrics(() -> {
                            try (OrtSession.Result out = session.run(Map.of("input", in))) {
                                out.get(0);
                            }
                        }, batch == 1 ? reps : Math.max(3, reps / 2), warmup, "_b" + batch));
                    }
                }
                return r;
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** Runs {@code x} through Ember and ONNX Runtime; an exception when they differ by more than 1e-3 of the output's scale. */
    private void check(ResNet model, OrtSession session, Tensor x) throws OrtException {
        float[] ember;
        try (var _ = Tensor.noGrad(); var _ = MemoryScope.open("W5 check")) {
            ember = model.forward(x).toFloatArray();
        }
        float[] ort;
        try (OnnxTensor in = input(x); OrtSession.Result out = session.run(Map.of("input", in))) {
            ort = ((OnnxTensor) out.get(0)).getFloatBuffer().array();
        }
        if (ort.length != ember.length) {
            throw new IllegalStateException("W5 onnxruntime: output has " + ort.length + " values, Ember's " + ember.length);
        }
        double maxDiff = 0, scale = 0;
        for (int i = 0; i < ember.length; i++) {
            maxDiff = Math.max(maxDiff, Math.abs(ember[i] - ort[i]));
            scale = Math.max(scale, Math.abs(ember[i]));
        }
        System.out.printf("W5 onnxruntime max_abs_diff=%.3g (output scale %.3g, batch %d)%n", maxDiff, scale, x.shape(0));
        if (!(maxDiff <= 1e-3 * scale)) {
            throw new IllegalStateException("W5 onnxruntime: outputs differ from Ember's by " + maxDiff + ", more than 1e-3 of their scale "
                    + scale + "; the exported model does not compute what Ember computes");
        }
    }

    private OnnxTensor input(Tensor x) throws OrtException {
        return OnnxTensor.createTensor(env, FloatBuffer.wrap(x.toFloatArray()), Arrays.stream(x.shape()).asLongStream().toArray());
    }
}
