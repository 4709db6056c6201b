package dev.ember.bench.jmh;

import dev.ember.core.Tensor;
import dev.ember.core.memory.MemoryScope;
import dev.ember.core.ops.ConvOps;
import dev.ember.core.ops.FusedConvOps;
import dev.ember.core.ops.NormOps;
import dev.ember.core.random.Generator;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * The tail of a ResNet-18 stage-1 basic block (batch 8 of 64x56x56, 3x3 convolution) as the plain
 * model runs it ({@code conv2d -> batch_norm -> add -> relu}) and as the inference optimizer runs it
 * ({@code conv2d_fused} with the folded bias, the residual and ReLU), beside the convolution alone
 * and with its bias: the differences are what the elementwise tail costs.
 *
 * <pre>{@code
 * java --add-modules jdk.incubator.vector -cp 'ember-bench/target/ember-bench.jar:ember-bench/target/lib/*' org.openjdk.jmh.Main FusedConvBenchmark
 * }</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class FusedConvBenchmark {

    private static final int[] ONE = {1, 1};
    private Tensor x, w, b, residual, mean, var, gamma, beta;

    @Setup
    public void setup() {
        Generator g = Generator.seeded(3);
        x = Tensor.randn(g, 8, 64, 56, 56);
        w = Tensor.randn(g, 64, 64, 3, 3);
        residual = Tensor.randn(g, 8, 64, 56, 56);
        b = Tensor.randn(g, 64);
        mean = Tensor.randn(g, 64);
        var = Tensor.rand(g, 64).add(0.5);
        gamma = Tensor.rand(g, 64);
        beta = Tensor.randn(g, 64);
    }

    @Benchmark
    public void convBatchNormAddRelu() {
        try (var ng = Tensor.noGrad(); var scope = MemoryScope.open("jmh")) {
            NormOps.batchNorm(ConvOps.conv2d(x, w, null, ONE, ONE, ONE, 1), mean, var, gamma, beta, false, 0.1, 1e-5).add(residual).relu();
        }
    }

    @Benchmark
    public void conv2dFused() {
        try (var ng = Tensor.noGrad(); var scope = MemoryScope.open("jmh")) {
            FusedConvOps.conv2dFused(x, w, b, residual, ONE, ONE, ONE, 1, FusedConvOps.Activation.RELU);
        }
    }

    @Benchmark
    public void conv2dAlone() {
        try (var ng = Tensor.noGrad(); var scope = MemoryScope.open("jmh")) {
            ConvOps.conv2d(x, w, null, ONE, ONE, ONE, 1);
        }
    }

    @Benchmark
    public void conv2dWithBias() {
        try (var ng = Tensor.noGrad(); var scope = MemoryScope.open("jmh")) {
            ConvOps.conv2d(x, w, b, ONE, ONE, ONE, 1);
        }
    }
}
