package dev.ember.cuda;

import dev.ember.core.DType;
import dev.ember.core.Device;
import dev.ember.core.Tensor;
import dev.ember.core.backend.Backend;
import dev.ember.core.backend.Backends;
import dev.ember.core.backend.DeviceInfo;
import dev.ember.core.random.Generator;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The GPU machine's one command (run by scripts/gpu-check.sh from a bundle with no JDK or
 * network): the CUDA-against-CPU conformance checks, then the workloads, with every line also
 * written to a results file.
 *
 * <pre>{@code
 * java --enable-native-access=ALL-UNNAMED --add-modules jdk.incubator.vector -cp 'lib/*' dev.ember.cuda.GpuCheck results.txt
 * }</pre>
 */
public final class GpuCheck {

    private final PrintStream out;
    private final List<String> lines = new ArrayList<>();
    private int failures;

    private GpuCheck(PrintStream out) { this.out = out; }

    public static void main(String[] args) throws IOException {
        Path results = Path.of(args.length > 0 ? args[0] : "gpu-check-results.txt");
        GpuCheck c = new GpuCheck(System.out);
        int rc = c.run();
        Files.write(results, c.lines);
        System.out.println("results written to " + results.toAbsolutePath());
        System.exit(rc);
    }

    private void say(String s) {
        out.println(s);
        lines.add(s);
    }

    private int run() {
        for (Backend b : Backends.all()) {
            if (!b.isAvailable()) say(b.deviceType() + "  unavailable: " + b.unavailableReason());
            else for (DeviceInfo d : b.devices()) say(d.toString());
        }
        Backend cuda = Backends.ofType("cuda");
        if (cuda == null || !cuda.isAvailable()) {
            say("RESULT no usable GPU; nothing to check");
            return 2;
        }
        Device gpu = Device.cuda(0);
        conformance(gpu);
        workloads(gpu);
        say("RESULT conformance failures: " + failures);
        return failures == 0 ? 0 : 1;
    }

    // ------------------------------------------------------------------ conformance

    private void conformance(Device gpu) {
        record C(String name, int[][] shapes, Function<Tensor[], Tensor> f) {}
        List<C> cases = List.of(
                new C("add broadcast", new int[][] {{64, 1, 33}, {17, 1}}, x -> x[0].add(x[1])),
                new C("mul div", new int[][] {{129, 65}, {129, 65}}, x -> x[0].mul(x[1]).div(x[1].abs().add(1))),
                new C("unary chain", new int[][] {{1000}}, x -> x[0].tanh().add(x[0].sigmoid()).mul(x[0].exp().add(1).log())),
                new C("sum rows", new int[][] {{300, 1000}}, x -> x[0].sum(new int[] {1}, false)),
                new C("sum cols", new int[][] {{300, 1000}}, x -> x[0].sum(new int[] {0}, false)),
                new C("softmax", new int[][] {{64, 1000}}, x -> x[0].softmax(1)),
                new C("log_softmax middle", new int[][] {{8, 50, 9}}, x -> x[0].logSoftmax(1)),
                new C("matmul", new int[][] {{128, 256}, {256, 64}}, x -> x[0].matmul(x[1])),
                new C("batched matmul transposed", new int[][] {{4, 32, 48}, {4, 16, 48}}, x -> x[0].matmul(x[1].transpose(1, 2))));
        Generator g = Generator.seeded(1);
        for (DType d : new DType[] {DType.F32, DType.F64}) {
            for (C c : cases) {
                String name = "conformance " + c.name + " " + d;
                try {
                    Tensor[] cpu = new Tensor[c.shapes.length], dev = new Tensor[c.shapes.length];
                    for (int i = 0; i < cpu.length; i++) {
                        Tensor base = Tensor.randn(g, d, Device.CPU, c.shapes[i]);
                        dev[i] = base.to(gpu).requiresGrad(true);
                        cpu[i] = base.requiresGrad(true);
                    }
                    Tensor yc = c.f.apply(cpu), yg = c.f.apply(dev);
                    double tol = d == DType.F64 ? 1e-9 : 2e-4;
                    double err = maxRelError(yc, yg.to(Device.CPU));
                    yc.sum().backward();
                    yg.sum().backward();
                    for (int i = 0; i < cpu.length; i++) err = Math.max(err, maxRelError(cpu[i].grad(), dev[i].grad().to(Device.CPU)));
                    boolean ok = err <= tol;
                    if (!ok) failures++;
                    say((ok ? "PASS " : "FAIL ") + name + "  max relative error " + String.format("%.2e", err) + " (tolerance " + tol + ")");
                } catch (RuntimeException e) {
                    failures++;
                    say("FAIL " + name + "  " + e);
                }
            }
        }
        Tensor a = Tensor.rand(Generator.seeded(5), DType.F32, Device.CPU, 100000);
        Tensor b = Tensor.rand(Generator.seeded(5), DType.F32, gpu, 100000);
        boolean same = java.util.Arrays.equals(a.toFloatArray(), b.toFloatArray());
        if (!same) failures++;
        say((same ? "PASS" : "FAIL") + " conformance rand bit-identical to the CPU");
    }

    private static double maxRelError(Tensor e, Tensor a) {
        double[] x = e.toDoubleArray(), y = a.toDoubleArray();
        double m = 0;
        for (int i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i] - y[i]) / (1 + Math.abs(x[i])));
        return m;
    }

    // ------------------------------------------------------------------ workloads

    private void workloads(Device gpu) {
        CudaBackend cuda = (CudaBackend) Backends.ofType("cuda");
        CudaDevice dev = cuda.device(gpu);
        for (String mode : new String[] {"fp32", "tf32", "bf16"}) {
            try {
                Cublas.allowTf32(mode.equals("tf32"));
                int n = 8192;
                DType d = mode.equals("bf16") ? DType.BF16 : DType.F32;
                Tensor a = Tensor.randn(Generator.seeded(2), DType.F32, gpu, n, n).to(d);
                Tensor b = Tensor.randn(Generator.seeded(3), DType.F32, gpu, n, n).to(d);
                a.matmul(b);
                dev.synchronize();
                int reps = 10;
                CudaEvent start = dev.stream().record(true);
                for (int i = 0; i < reps; i++) a.matmul(b);
                CudaEvent end = dev.stream().record(true);
                double ms = start.elapsedMillisTo(end) / reps;
                say(String.format("WORKLOAD gemm %s %dx%dx%d  %.1f TFLOP/s  (%.2f ms)", mode, n, n, n, 2.0 * n * n * n / (ms * 1e-3) / 1e12, ms));
            } catch (RuntimeException e) {
                say("WORKLOAD gemm " + mode + " failed: " + e);
            } finally {
                Cublas.allowTf32(false);
            }
        }
        try {
            mlpStep(gpu, dev);
        } catch (RuntimeException e) {
            say("WORKLOAD mlp failed: " + e);
        }
        say("WORKLOAD resnet18/unet: not run: conv2d, pooling and norm ops have no CUDA kernels registered yet "
                + "(conv.cu, pool.cu and norm.cu are built but not wired into the kernel table)");
    }

    /** A 784-2048-2048-10 MLP train step (forward, MSE loss, backward, SGD update) at batch 512. */
    private void mlpStep(Device gpu, CudaDevice dev) {
        Generator g = Generator.seeded(4);
        int batch = 512;
        Tensor w1 = Tensor.randn(g, DType.F32, gpu, 784, 2048).mul(0.03).requiresGrad(true);
        Tensor w2 = Tensor.randn(g, DType.F32, gpu, 2048, 2048).mul(0.02).requiresGrad(true);
        Tensor w3 = Tensor.randn(g, DType.F32, gpu, 2048, 10).mul(0.02).requiresGrad(true);
        Tensor x = Tensor.randn(g, DType.F32, gpu, batch, 784), y = Tensor.randn(g, DType.F32, gpu, batch, 10);
        Tensor[] ws = {w1, w2, w3};
        Runnable step = () -> {
            Tensor loss = x.matmul(w1).relu().matmul(w2).relu().matmul(w3).sub(y).pow(2).mean();
            loss.backward();
            for (Tensor w : ws) {
                FusedOptimizers.sgdStep(w, w.grad(), null, 1e-3, 0, 0, 0, false, true);
                w.setGrad(null);
            }
        };
        step.run();
        dev.synchronize();
        int reps = 20;
        long t0 = System.nanoTime();
        for (int i = 0; i < reps; i++) step.run();
        dev.synchronize();
        double ms = (System.nanoTime() - t0) / 1e6 / reps;
        say(String.format("WORKLOAD mlp train step 784-2048-2048-10 batch %d  %.2f ms", batch, ms));
    }
}
