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
 * 3x3 stride-1 padding-1 convolutions of ResNet-18, U-Net and the MNIST CNN: forward, input
 * gradient (transposed convolution) and weight gradient. Shape: batch, in, out, size.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class ConvBenchmark {

    /** batch x in -> out at size x size: ResNet-18 stages 1 and 4, U-Net level 1, MNIST conv1/conv2. */
    @Param({"8x64x64x56", "8x512x512x7", "4x64x64x128", "64x1x32x28", "64x32x64x26"})
    public String shape;

    private Tensor x, w, gy;
    private static final int[] ONE = {1, 1}, PAD = {1, 1}, ZERO = {0, 0};

    @Setup
    public void setup() {
        String[] p = shape.split("x");
        int n = Integer.parseInt(p[0]), ci = Integer.parseInt(p[1]), co = Integer.parseInt(p[2]), s = Integer.parseInt(p[3]);
        Generator g = Generator.seeded(1);
        x = Tensor.randn(g, n, ci, s, s);
        w = Tensor.randn(g, co, ci, 3, 3);
        gy = Tensor.randn(g, n, co, s, s);
    }

    @Benchmark
    public void forward() {
        try (var scope = MemoryScope.open("jmh")) {
            ConvOps.conv2d(x, w, null, ONE, PAD, ONE, 1);
        }
    }

    @Benchmark
    public void inputGrad() {
        try (var scope = MemoryScope.open("jmh")) {
            ConvOps.convTranspose2d(gy, w, null, ONE, PAD, ZERO, 1, ONE);
        }
    }

    @Benchmark
    public void weightGrad() {
        try (var scope = MemoryScope.open("jmh")) {
            ConvOps.weightGrad(x, gy, w.shape(), ONE, PAD, ONE, 1);
        }
    }
}
