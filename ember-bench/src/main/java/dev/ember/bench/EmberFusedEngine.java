package dev.ember.bench;

import dev.ember.core.Tensor;
import dev.ember.core.memory.MemoryScope;
import dev.ember.core.random.Generator;
import dev.ember.infer.optimize.InferenceModel;
import dev.ember.infer.optimize.InferenceOptimizer;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * W5 through Ember's inference optimizer: {@link BenchModels#w5ResNet18} traced once (batch 2)
 * with batch norm folded into the convolutions and each convolution's residual add and ReLU
 * fused ({@code conv2d_fused}), then replayed at batch 1 and 32 like {@link EmberEngine}'s W5.
 * The plain model's lines stay under the name {@code ember}.
 *
 * <pre>{@code
 * W5 ember-fused ms_median_b1=...
 * }</pre>
 */
public final class EmberFusedEngine implements Engine {

    private final Generator gen = Generator.seeded(0);

    @Override
    public String name() { return "ember-fused"; }

    @Override
    public boolean runs(String workload) { return workload.equals("W5"); }

    @Override
    public Map<String, Double> run(String w, int reps, int warmup) throws Exception {
        if (!w.equals("W5")) throw new UnsupportedOperationException("the optimized model runs W5 only");
        InferenceModel m = InferenceOptimizer.optimize(BenchModels.w5ResNet18(), Tensor.randn(gen, 2, 3, 224, 224));
        Map<String, Double> r = new LinkedHashMap<>();
        for (int batch : new int[] {1, 32}) {
            Tensor x = Tensor.randn(gen, batch, 3, 224, 224);
            r.putAll(Timing.stepMetrics(() -> {
                try (var scope = MemoryScope.open("infer")) {
                    m.forward(x);
                }
            }, batch == 1 ? reps : Math.max(3, reps / 2), warmup, "_b" + batch));
        }
        return r;
    }
}
