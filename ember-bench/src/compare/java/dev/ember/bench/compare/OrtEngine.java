package dev.ember.bench.compare;

import dev.ember.bench.Engine;

import java.util.Map;

/**
 * ONNX Runtime needs each workload as an ONNX model; Ember has no ONNX exporter yet, so every
 * workload is reported as skipped with that reason rather than timed against a hand-made graph.
 */
public final class OrtEngine implements Engine {

    @Override
    public String name() { return "onnxruntime"; }

    @Override
    public Map<String, Double> run(String w, int reps, int warmup) {
        // touch the runtime so a broken native install is reported as such
        ai.onnxruntime.OrtEnvironment.getEnvironment();
        throw new UnsupportedOperationException("no ONNX exporter in Ember yet to produce the " + w
                + " model; ONNX Runtime " + ai.onnxruntime.OrtEnvironment.getEnvironment().getVersion() + " is installed");
    }
}
