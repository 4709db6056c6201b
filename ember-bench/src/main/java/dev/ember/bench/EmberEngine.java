package dev.ember.bench;

import dev.ember.core.Tensor;
import dev.ember.core.memory.MemoryScope;
import dev.ember.core.random.Generator;
import dev.ember.nn.F;
import dev.ember.nn.Module;
import dev.ember.nn.zoo.Mlp;
import dev.ember.nn.zoo.ResNet;
import dev.ember.nn.zoo.SmallCnn;
import dev.ember.nn.zoo.UNet;
import dev.ember.train.optim.Sgd;

import java.util.LinkedHashMap;
import java.util.Map;

/** The workloads through Ember's CPU backend; each step runs in a {@link MemoryScope}. */
public final class EmberEngine implements Engine {

    private final Generator gen = Generator.seeded(0);

    @Override
    public String name() { return "ember"; }

    @Override
    public Map<String, Double> run(String w, int reps, int warmup) throws Exception {
        return switch (w) {
            case "W1" -> gemm(reps, warmup);
            case "W2" -> classifierStep(new Mlp(gen, 784, 512, 256, 10), Tensor.randn(gen, 128, 784), 10, reps, warmup);
            case "W3" -> classifierStep(new SmallCnn(1, 10, 28, gen), Tensor.randn(gen, 64, 1, 28, 28), 10, reps, warmup);
            case "W4" -> classifierStep(ResNet.resnet18(3, 10, gen), Tensor.randn(gen, 8, 3, 128, 128), 10, reps, warmup);
            case "W5" -> inference(BenchModels.w5ResNet18(), reps, warmup);
            case "W6" -> segmentationStep(new UNet(1, 1, 4, 64, true, gen), Tensor.randn(gen, 4, 1, 128, 128), reps, warmup);
            default -> throw new UnsupportedOperationException("no workload " + w);
        };
    }

    private Map<String, Double> gemm(int reps, int warmup) throws Exception {
        Map<String, Double> r = new LinkedHashMap<>();
        for (int n : Timing.W1_SIZES) {
            Tensor a = Tensor.randn(gen, n, n), b = Tensor.randn(gen, n, n);
            r.putAll(Timing.gflopsMetrics(() -> {
                try (var scope = MemoryScope.open("W1")) {
                    a.matmul(b);
                }
            }, 2.0 * n * n * n, reps, warmup, "_n" + n));
        }
        return r;
    }

    /** Forward, cross-entropy against random labels, backward, SGD step. */
    private Map<String, Double> classifierStep(Module model, Tensor x, int classes, int reps, int warmup) throws Exception {
        model.train();
        var opt = new Sgd(model.parameters(), 0.01);
        Tensor y = Tensor.randint(gen, 0, classes, x.shape(0));
        return Timing.stepMetrics(() -> {
            try (var scope = MemoryScope.open("step")) {
                opt.zeroGrad();
                Tensor loss = F.crossEntropy(model.forward(x), y);
                loss.backward();
                opt.step();
            }
        }, reps, warmup, "");
    }

    private Map<String, Double> segmentationStep(Module model, Tensor x, int reps, int warmup) throws Exception {
        model.train();
        var opt = new Sgd(model.parameters(), 0.01);
        Tensor target = Tensor.randn(gen, x.shape());
        return Timing.stepMetrics(() -> {
            try (var scope = MemoryScope.open("step")) {
                opt.zeroGrad();
                Tensor loss = F.mseLoss(model.forward(x), target);
                loss.backward();
                opt.step();
            }
        }, reps, warmup, "");
    }

    private Map<String, Double> inference(Module model, int reps, int warmup) throws Exception {
        model.eval();
        Map<String, Double> r = new LinkedHashMap<>();
        for (int batch : new int[] {1, 32}) {
            Tensor x = Tensor.randn(gen, batch, 3, 224, 224);
            r.putAll(Timing.stepMetrics(() -> {
                try (var g = Tensor.noGrad(); var scope = MemoryScope.open("infer")) {
                    model.forward(x);
                }
            }, batch == 1 ? reps : Math.max(3, reps / 2), warmup, "_b" + batch));
        }
        return r;
    }
}
