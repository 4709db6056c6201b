package dev.ember.bench.compare;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
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
                case "W4" -> {
                    Net net = resnet18(m, 3, 10);
                    NDArray x = m.randomNormal(new Shape(8, 3, 128, 128));
                    NDArray y = m.randomInteger(0, 10, new Shape(8), ai.djl.ndarray.types.DataType.INT64);
                    yield trainStep(m, net, x, (h) -> crossEntropy(h, y, 10), reps, warmup);
                }
                case "W5" -> inference(m, resnet18(m, 3, 10), reps, warmup);
                case "W6" -> {
                    Net net = unet(m, 1, 1, 4, 64);
                    NDArray x = m.randomNormal(new Shape(4, 1, 128, 128));
                    NDArray target = m.randomNormal(new Shape(4, 1, 128, 128));
                    yield trainStep(m, net, x, (h) -> h.sub(target).square().mean(), reps, warmup);
                }
                default -> throw new UnsupportedOperationException("no workload " + w);
            };
        }
    }

    private static Map<String, Double> gemm(NDManager m, int reps, int warmup) throws Exception {
        Map<String, Double> r = new LinkedHashMap<>();
        for (int n : Timing.W1_SIZES) {
            NDArray a = m.randomNormal(new Shape(n, n)), b = m.randomNormal(new Shape(n, n));
            r.putAll(Timing.gflopsMetrics(() -> {
                try (NDManager s = m.newSubManager()) {
                    NDArray c = a.matMul(b);
                    c.attach(s);
                }
            }, 2.0 * n * n * n, reps, warmup, "_n" + n));
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

    /**
     * A copy of the step's input owned by the step's manager: results belong to their first
     * operand's manager, so this frees every intermediate when the step ends.
     */
    private static NDArray inStep(NDArray x, NDManager step) {
        NDArray c = x.duplicate();
        c.attach(step);
        return c;
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
                NDArray h = inStep(x, s);
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
                NDArray h = Conv2d.conv2d(inStep(x, s), c1w, c1b, one, zero, one, 1).singletonOrThrow().getNDArrayInternal().relu();
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

    // ------------------------------------------------------------ ResNet-18 and U-Net, functional

    /** Parameters plus a forward function; batch-norm layers switch on {@code training}. */
    private static final class Net {
        final List<NDArray> params = new ArrayList<>();
        java.util.function.BiFunction<NDArray, Boolean, NDArray> forward;
    }

    /** A bias-free convolution followed by batch norm (with running statistics), as in both nets. */
    private static final class ConvBn {
        final NDArray w, gamma, beta, mean, var;
        final Shape stride, pad;

        ConvBn(NDManager m, Net net, int in, int out, int k, int stride) {
            w = param(m, new Shape(out, in, k, k), Math.sqrt(2.0 / (in * k * k)));
            gamma = m.ones(new Shape(out));
            gamma.setRequiresGradient(true);
            beta = m.zeros(new Shape(out));
            beta.setRequiresGradient(true);
            mean = m.zeros(new Shape(out));
            var = m.ones(new Shape(out));
            net.params.addAll(List.of(w, gamma, beta));
            this.stride = new Shape(stride, stride);
            this.pad = new Shape(k / 2, k / 2);
        }

        NDArray apply(NDArray x, boolean training, boolean relu) {
            NDArray h = Conv2d.conv2d(x, w, null, stride, pad, new Shape(1, 1), 1).singletonOrThrow();
            h = BatchNorm.batchNorm(h, mean, var, gamma, beta, 1, 0.1f, 1e-5f, training).singletonOrThrow();
            return relu ? h.getNDArrayInternal().relu() : h;
        }
    }

    /** torchvision's resnet18 layout: 7x7/2 stem, 3x3/2 max pool, 4 stages of 2 basic blocks, average pool, fc. */
    private static Net resnet18(NDManager m, int inChannels, int classes) {
        Net net = new Net();
        ConvBn stem = new ConvBn(m, net, inChannels, 64, 7, 2);
        List<ConvBn[]> blocks = new ArrayList<>();
        int in = 64;
        for (int s = 0; s < 4; s++) {
            int planes = 64 << s;
            for (int b = 0; b < 2; b++) {
                int stride = b == 0 && s > 0 ? 2 : 1;
                ConvBn c1 = new ConvBn(m, net, in, planes, 3, stride), c2 = new ConvBn(m, net, planes, planes, 3, 1);
                ConvBn down = stride != 1 || in != planes ? new ConvBn(m, net, in, planes, 1, stride) : null;
                blocks.add(new ConvBn[] {c1, c2, down});
                in = planes;
            }
        }
        NDArray fw = param(m, new Shape(classes, 512), 1 / Math.sqrt(512)), fb = param(m, new Shape(classes), 0.01);
        net.params.addAll(List.of(fw, fb));
        net.forward = (x, training) -> {
            NDArray h = stem.apply(x, training, true);
            h = Pool.maxPool2d(h, new Shape(3, 3), new Shape(2, 2), new Shape(1, 1), false);
            for (ConvBn[] b : blocks) {
                NDArray o = b[1].apply(b[0].apply(h, training, true), training, false);
                NDArray skip = b[2] == null ? h : b[2].apply(h, training, false);
                h = o.add(skip).getNDArrayInternal().relu();
            }
            h = Pool.globalAvgPool2d(h);
            return Linear.linear(h, fw, fb).singletonOrThrow();
        };
        return net;
    }

    /** Ember's UNet(in, out, depth, base, bilinear = true): double convs, max-pool down, bilinear up, concat skips. */
    private static Net unet(NDManager m, int inChannels, int outChannels, int depth, int base) {
        Net net = new Net();
        ConvBn[] inc = {new ConvBn(m, net, inChannels, base, 3, 1), new ConvBn(m, net, base, base, 3, 1)};
        List<ConvBn[]> down = new ArrayList<>(), up = new ArrayList<>();
        for (int i = 0; i < depth; i++) {
            down.add(new ConvBn[] {new ConvBn(m, net, base << i, base << (i + 1), 3, 1), new ConvBn(m, net, base << (i + 1), base << (i + 1), 3, 1)});
        }
        for (int k = depth; k >= 1; k--) {
            int deep = base << k, skip = base << (k - 1);
            up.add(new ConvBn[] {new ConvBn(m, net, deep + skip, skip, 3, 1), new ConvBn(m, net, skip, skip, 3, 1)});
        }
        NDArray ow = param(m, new Shape(outChannels, base, 1, 1), 1 / Math.sqrt(base)), ob = param(m, new Shape(outChannels), 0.01);
        net.params.addAll(List.of(ow, ob));
        Shape two = new Shape(2, 2), zero = new Shape(0, 0), one = new Shape(1, 1);
        net.forward = (x, training) -> {
            NDArray[] skips = new NDArray[depth + 1];
            skips[0] = inc[1].apply(inc[0].apply(x, training, true), training, true);
            for (int i = 0; i < depth; i++) {
                NDArray p = Pool.maxPool2d(skips[i], two, two, zero, false);
                skips[i + 1] = down.get(i)[1].apply(down.get(i)[0].apply(p, training, true), training, true);
            }
            NDArray h = skips[depth];
            for (int j = 0; j < depth; j++) {
                NDArray s = skips[depth - 1 - j];
                // interpolation mode 2 = bilinear in DJL's PyTorch JNI (libtorch rejects linear on 4-d input)
                NDArray u = h.getNDArrayInternal().interpolation(new long[] {s.getShape().get(2), s.getShape().get(3)}, 2, false);
                h = s.concat(u, 1);
                h = up.get(j)[1].apply(up.get(j)[0].apply(h, training, true), training, true);
            }
            return Conv2d.conv2d(h, ow, ob, one, zero, one, 1).singletonOrThrow();
        };
        return net;
    }

    private Map<String, Double> trainStep(NDManager m, Net net, NDArray x, java.util.function.Function<NDArray, NDArray> lossOf,
                                          int reps, int warmup) throws Exception {
        return Timing.stepMetrics(() -> {
            try (NDManager s = m.newSubManager()) {
                GradientCollector gc = engine.newGradientCollector();
                NDArray out = net.forward.apply(inStep(x, s), true);
                NDArray loss = lossOf.apply(out);
                gc.backward(loss);
                gc.close(); // back to no-grad mode: the update is in place on leaves
                sgd(net.params, 0.01f);
                out.attach(s);
                loss.attach(s);
            }
        }, reps, warmup, "");
    }

    private static Map<String, Double> inference(NDManager m, Net net, int reps, int warmup) throws Exception {
        Map<String, Double> r = new LinkedHashMap<>();
        for (int batch : new int[] {1, 32}) {
            NDArray x = m.randomNormal(new Shape(batch, 3, 224, 224));
            r.putAll(Timing.stepMetrics(() -> {
                try (NDManager s = m.newSubManager()) {
                    net.forward.apply(inStep(x, s), false);
                }
            }, batch == 1 ? reps : Math.max(3, reps / 2), warmup, "_b" + batch));
        }
        return r;
    }
}
