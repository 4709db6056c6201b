package dev.ember.bench.compare;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.Dropout;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.GradientCollector;
import dev.ember.bench.Timing;
import dev.ember.cpu.CpuParallel;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The workloads through libtorch (DJL's PyTorch engine, CPU build), eager mode, with as many
 * threads as Ember uses. DJL runs offline: the native library comes from the pytorch-native-cpu
 * and pytorch-jni jars on the class path and is never downloaded.
 */
public final class TorchEngine implements dev.ember.bench.Engine {

    private final Engine engine;

    public TorchEngine() {
        System.setProperty("ai.djl.offline", "true");
        System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(CpuParallel.threads()));
        System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        engine = Engine.getEngine("PyTorch");
    }

    @Override
    public String name() { return "libtorch"; }

    @Override
    public Map<String, Double> run(String w, int reps, int warmup) throws Exception {
        try (NDManager m = NDManager.newBaseManager(engine.defaultDevice(), "PyTorch")) {
            return switch (w) {
                case "W1" -> gemm(m, reps, warmup);
                case "W2" -> mlp(m, reps, warmup);
                case "W3" -> cnn(m, reps, warmup);
                default -> throw new UnsupportedOperationException("ResNet-18 and U-Net are not built in the libtorch runner yet");
            };
        }
    }

    private static Map<String, Double> gemm(NDManager m, int reps, int warmup) throws Exception {
        Map<String, Double> r = new LinkedHashMap<>();
        for (int n : Timing.W1_SIZES) {
            NDArray a = m.randomNormal(new Shape(n, n)), b = m.randomNormal(new Shape(n, n));
            r.put("gflops_n" + n, Timing.gflops(() -> {
                try (NDManager s = m.newSubManager()) {
                    NDArray c = a.matMul(b);
                    c.attach(s);
                }
            }, 2.0 * n * n * n, reps, warmup));
        }
        return r;
    }

    private static NDArray param(NDManager m, Shape s, double scale) {
        NDArray p = m.randomNormal(s).mul(scale);
        p.setRequiresGradient(true);
        return p;
    }

    /** Mean cross-entropy of logits [N, C] against integer labels. */
    private static NDArray crossEntropy(NDArray logits, NDArray labels, int classes) {
        return logits.logSoftmax(1).mul(labels.oneHot(classes)).sum().neg().div(logits.getShape().get(0));
    }

    private static void sgd(List<NDArray> params, float lr) {
        for (NDArray p : params) p.subi(p.getGradient().mul(lr));
    }

    private Map<String, Double> mlp(NDManager m, int reps, int warmup) throws Exception {
        int[] sizes = {784, 512, 256, 10};
        List<NDArray> params = new ArrayList<>();
        for (int i = 0; i + 1 < sizes.length; i++) {
            params.add(param(m, new Shape(sizes[i + 1], sizes[i]), 1 / Math.sqrt(sizes[i])));
            params.add(param(m, new Shape(sizes[i + 1]), 0.01));
        }
        NDArray x = m.randomNormal(new Shape(128, 784));
        NDArray y = m.randomInteger(0, 10, new Shape(128), ai.djl.ndarray.types.DataType.INT64);
        return Timing.stepMetrics(() -> {
            try (NDManager s = m.newSubManager()) {
                GradientCollector gc = engine.newGradientCollector();
                NDArray h = x;
                for (int i = 0; i < 3; i++) {
                    h = Linear.linear(h, params.get(2 * i), params.get(2 * i + 1)).singletonOrThrow();
                    if (i < 2) h = h.getNDArrayInternal().relu();
                }
                NDArray loss = crossEntropy(h, y, 10);
                gc.backward(loss);
                gc.close(); // back to no-grad mode: the update is in place on leaves
                sgd(params, 0.01f);
                h.attach(s);
                loss.attach(s);
            }
        }, reps, warmup, "");
    }

    private Map<String, Double> cnn(NDManager m, int reps, int warmup) throws Exception {
        NDArray c1w = param(m, new Shape(32, 1, 3, 3), 1 / 3.0), c1b = param(m, new Shape(32), 0.01);
        NDArray c2w = param(m, new Shape(64, 32, 3, 3), 1 / Math.sqrt(288)), c2b = param(m, new Shape(64), 0.01);
        NDArray f1w = param(m, new Shape(128, 9216), 1 / 96.0), f1b = param(m, new Shape(128), 0.01);
        NDArray f2w = param(m, new Shape(10, 128), 1 / Math.sqrt(128)), f2b = param(m, new Shape(10), 0.01);
        List<NDArray> params = List.of(c1w, c1b, c2w, c2b, f1w, f1b, f2w, f2b);
        NDArray x = m.randomNormal(new Shape(64, 1, 28, 28));
        NDArray y = m.randomInteger(0, 10, new Shape(64), ai.djl.ndarray.types.DataType.INT64);
        Shape one = new Shape(1, 1), zero = new Shape(0, 0);
        return Timing.stepMetrics(() -> {
            try (NDManager s = m.newSubManager()) {
                GradientCollector gc = engine.newGradientCollector();
                NDArray h = Conv2d.conv2d(x, c1w, c1b, one, zero, one, 1).singletonOrThrow().getNDArrayInternal().relu();
                h = Conv2d.conv2d(h, c2w, c2b, one, zero, one, 1).singletonOrThrow().getNDArrayInternal().relu();
                h = Pool.maxPool2d(h, new Shape(2, 2), new Shape(2, 2), zero, false);
                h = Dropout.dropout(h, 0.25f, true).singletonOrThrow().reshape(64, 9216);
                h = Linear.linear(h, f1w, f1b).singletonOrThrow().getNDArrayInternal().relu();
                h = Dropout.dropout(h, 0.5f, true).singletonOrThrow();
                NDArray loss = crossEntropy(Linear.linear(h, f2w, f2b).singletonOrThrow(), y, 10);
                gc.backward(loss);
                gc.close(); // back to no-grad mode: the update is in place on leaves
                sgd(params, 0.01f);
                h.attach(s);
                loss.attach(s);
            }
        }, reps, warmup, "");
    }
}
