package dev.ember.cuda;

import dev.ember.core.DType;
import dev.ember.core.Device;
import dev.ember.core.Tensor;
import dev.ember.core.backend.Backend;
import dev.ember.core.backend.Backends;
import dev.ember.core.ops.LossOps;
import dev.ember.core.random.Generator;
import dev.ember.nn.Module;
import dev.ember.nn.Parameter;
import dev.ember.nn.zoo.ResNet;
import dev.ember.nn.zoo.UNet;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The model half of the GPU check, run by scripts/gpu-check.sh after {@link GpuCheck}: ResNet-18
 * and U-Net on the GPU against the CPU (same weights, same batch: logits, loss and parameter
 * gradients), then timed ResNet-18 / U-Net train steps and ResNet-18 inference at batch 1 and
 * 64. It lives with the tests because ember-cuda's main code may not depend on ember-nn.
 *
 * <pre>{@code
 * java --enable-native-access=ALL-UNNAMED --add-modules jdk.incubator.vector -cp 'lib/*:classes' dev.ember.cuda.ModelCheck results.txt
 * }</pre>
 */
public final class ModelCheck {

    private final List<String> lines = new ArrayList<>();
    int failures;

    public static void main(String[] args) throws IOException {
        Path results = Path.of(args.length > 0 ? args[0] : "gpu-check-results.txt");
        ModelCheck c = new ModelCheck();
        int rc = c.run();
        Files.write(results, c.lines, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        System.exit(rc);
    }

    private void say(String s) {
        System.out.println(s);
        lines.add(s);
    }

    private int run() {
        Backend cuda = Backends.ofType("cuda");
        if (cuda == null || !cuda.isAvailable()) {
            say("RESULT models: no usable GPU: " + (cuda == null ? "ember-cuda is not on the class path" : cuda.unavailableReason()));
            return 2;
        }
        Device gpu = Device.cuda(0);
        CudaDevice dev = ((CudaBackend) cuda).device(gpu);
        guarded("resnet18 matches the CPU", () -> agree("resnet18", () -> ResNet.resnet18(3, 10, Generator.seeded(11)), gpu, 2, 3, 64, 10));
        guarded("unet matches the CPU", () -> agree("unet", () -> new UNet(1, 2, 3, 8, true, Generator.seeded(12)), gpu, 2, 1, 48, 0));
        guarded("resnet18 train step", () -> trainStep(dev, "resnet18", ResNet.resnet18(3, 1000, Generator.seeded(1)), gpu, 64, 3, 224, 1000));
        guarded("unet train step", () -> trainStep(dev, "unet", new UNet(1, 2, 4, 64, true, Generator.seeded(2)), gpu, 8, 1, 256, 0));
        for (int batch : new int[] {1, 64}) guarded("resnet18 inference batch " + batch, () -> inference(dev, batch, gpu));
        say("RESULT model failures: " + failures);
        return failures == 0 ? 0 : 1;
    }

    private void guarded(String what, Runnable r) {
        try {
            r.run();
        } catch (RuntimeException | Error e) {
            failures++;
            say("FAIL " + what + ": " + e);
        }
    }

    /** The loss of a batch: cross-entropy over classes, or mean squared error against zeros for a dense output. */
    private static Tensor loss(Tensor out, Tensor labels) {
        return labels != null ? LossOps.crossEntropy(out, labels) : out.pow(2).mean();
    }

    private static Tensor labels(int batch, int classes, Device d) {
        if (classes == 0) return null;
        return Tensor.randint(Generator.seeded(3), 0, classes, DType.I64, Device.CPU, batch).to(d);
    }

    /** The same model and batch on both devices: outputs, loss and every parameter gradient agree. */
    void agree(String name, Supplier<Module> make, Device gpu, int batch, int channels, int size, int classes) {
        Module cpuModel = make.get(), gpuModel = make.get().to(gpu);
        Tensor x = Tensor.randn(Generator.seeded(5), DType.F32, Device.CPU, batch, channels, size, size);
        Tensor yc = cpuModel.forward(x), yg = gpuModel.forward(x.to(gpu));
        double err = maxRelError(yc, yg.to(Device.CPU));
        Tensor lc = loss(yc, labels(batch, classes, Device.CPU)), lg = loss(yg, labels(batch, classes, gpu));
        lc.backward();
        lg.backward();
        err = Math.max(err, maxRelError(lc, lg.to(Device.CPU)));
        List<Parameter> pc = cpuModel.parameters(), pg = gpuModel.parameters();
        for (int i = 0; i < pc.size(); i++) err = Math.max(err, maxRelError(pc.get(i).grad(), pg.get(i).grad().to(Device.CPU)));
        double tol = 2e-3; // f32 sums in a different order through ~20 layers
        boolean ok = err <= tol;
        if (!ok) failures++;
        say((ok ? "PASS " : "FAIL ") + "model " + name + " batch " + batch + "x" + channels + "x" + size + "x" + size
                + " output, loss and " + pc.size() + " parameter gradients vs CPU  max relative error " + String.format("%.2e", err)
                + " (tolerance " + tol + ")");
    }

    private void trainStep(CudaDevice dev, String name, Module model, Device gpu, int batch, int channels, int size, int classes) {
        model.to(gpu).train();
        Tensor x = Tensor.randn(Generator.seeded(6), DType.F32, gpu, batch, channels, size, size);
        Tensor y = labels(batch, classes, gpu);
        List<Parameter> params = model.parameters();
        Runnable step = () -> {
            Tensor l = loss(model.forward(x), y);
            l.backward();
            for (Parameter p : params) {
                FusedOptimizers.sgdStep(p.data(), p.grad(), null, 1e-3, 0, 0, 0, false, true);
                p.zeroGrad();
            }
        };
        step.run();
        dev.synchronize();
        int reps = 5;
        long t0 = System.nanoTime();
        for (int i = 0; i < reps; i++) step.run();
        dev.synchronize();
        double ms = (System.nanoTime() - t0) / 1e6 / reps;
        say(String.format("WORKLOAD %s train step batch %d %dx%dx%d  %.1f ms  (%.0f images/s)  peak GPU memory %s", name, batch, channels,
                size, size, ms, batch * 1000 / ms, dev.allocator().stats()));
    }

    private void inference(CudaDevice dev, int batch, Device gpu) {
        Module model = ResNet.resnet18(3, 1000, Generator.seeded(7)).to(gpu).eval();
        Tensor x = Tensor.randn(Generator.seeded(8), DType.F32, gpu, batch, 3, 224, 224);
        try (var g = Tensor.noGrad()) {
            model.forward(x);
            dev.synchronize();
            int reps = batch == 1 ? 50 : 10;
            long t0 = System.nanoTime();
            for (int i = 0; i < reps; i++) model.forward(x);
            dev.synchronize();
            double ms = (System.nanoTime() - t0) / 1e6 / reps;
            say(String.format("WORKLOAD resnet18 inference batch %d 3x224x224  %.2f ms  (%.0f images/s)", batch, ms, batch * 1000 / ms));
        }
    }

    private static double maxRelError(Tensor e, Tensor a) {
        double[] x = e.toDoubleArray(), y = a.toDoubleArray();
        if (x.length != y.length) return Double.POSITIVE_INFINITY;
        double m = 0;
        for (int i = 0; i < x.length; i++) {
            double d = Math.abs(x[i] - y[i]) / (1 + Math.abs(x[i]));
            m = Math.max(m, Double.isNaN(d) ? Double.POSITIVE_INFINITY : d);
        }
        return m;
    }
}
