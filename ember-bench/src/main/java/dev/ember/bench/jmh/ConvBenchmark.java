package dev.ember.bench.jmh;

import dev.ember.core.Tensor;
import dev.ember.core.memory.MemoryScope;
import dev.ember.core.ops.ConvOps;
import dev.ember.core.random.Generator;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * Convolutions of ResNet-18, U-Net and the MNIST CNN: forward, input gradient (transposed
 * convolution) and weight gradient. Shape: batch, in, out, size, and optionally kernel and stride
 * (default 3x3 stride 1), padded by half the kernel.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class ConvBenchmark {

    /**
     * batch x in -> out at size x size [x kernel x stride]: ResNet-18 stages 1 and 4, U-Net levels 1
     * and 3, MNIST conv1/conv2, ResNet-18's 7x7 stride-2 stem and its stride-2 3x3 downsampling conv.
     * The 3x3 stride-1 forward and input gradient of 8x64x64x56, 4x64x64x128 and 4x256x256x32 take
     * the Winograd route (the 26- and 7-wide planes would pad their tile rows too much); run with
     * {@code -jvmArgsAppend -Dember.cpu.winograd=false} for the im2col route.
     */
    @Param({"8x64x64x56", "8x512x512x7", "4x64x64x128", "4x256x256x32", "64x1x32x28", "64x32x64x26", "8x3x64x224x7x2", "8x64x128x56x3x2"})
    public String shape;

    private Tensor x, w, gy;
    private int[] stride, pad;
    private static final int[] ONE = {1, 1}, ZERO = {0, 0};

    @Setup
    public void setup() {
        String[] p = shape.split("x");
        int n = Integer.parseInt(p[0]), ci = Integer.parseInt(p[1]), co = Integer.parseInt(p[2]), s = Integer.parseInt(p[3]);
        int k = p.length > 4 ? Integer.parseInt(p[4]) : 3, st = p.length > 5 ? Integer.parseInt(p[5]) : 1;
        stride = new int[] {st, st};
        pad = new int[] {k / 2, k / 2};
        int os = (s + 2 * (k / 2) - k) / st + 1;
        Generator g = Generator.seeded(1);
        x = Tensor.randn(g, n, ci, s, s);
        w = Tensor.randn(g, co, ci, k, k);
        gy = Tensor.randn(g, n, co, os, os);
    }

    @Benchmark
    public void forward() {
        try (var scope = MemoryScope.open("jmh")) {
            ConvOps.conv2d(x, w, null, stride, pad, ONE, 1);
        }
    }

    /** What the transposed convolution needs to give back x's size where the stride dropped a row. */
    private int[] outputPadding() {
        int[] xs = x.shape(), ws = w.shape(), gs = gy.shape();
        int extra = xs[2] - ((gs[2] - 1) * stride[0] - 2 * pad[0] + ws[2]);
        return extra == 0 ? ZERO : new int[] {extra, extra};
    }

    @Benchmark
    public void inputGrad() {
        try (var scope = MemoryScope.open("jmh")) {
            ConvOps.convTranspose2d(gy, w, null, stride, pad, outputPadding(), 1, ONE);
        }
    }

    @Benchmark
    public void weightGrad() {
        try (var scope = MemoryScope.open("jmh")) {
            ConvOps.weightGrad(x, gy, w.shape(), stride, pad, ONE, 1);
        }
    }
}
