package dev.ember.bench.jmh;

import dev.ember.core.Tensor;
import dev.ember.core.memory.MemoryScope;
import dev.ember.core.random.Generator;
import dev.ember.nn.F;
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
 * Memory-bound kernels at training sizes: an elementwise chain, softmax, layer norm, batch norm,
 * a conv bias gradient's sum, ReLU in a JVM that has also run transcendental ops, 2x2 max pooling.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class KernelBenchmark {

    private Tensor rows, rowsB, image, stem, gamma, beta, ln, bnMean, bnVar, bnGamma, bnBeta;

    @Setup
    public void setup() {
        Generator g = Generator.seeded(1);
        rows = Tensor.randn(g, 512, 1024);      // 512 tokens x 1024 features
        rowsB = Tensor.randn(g, 512, 1024);
        ln = Tensor.randn(g, 1024);
        gamma = Tensor.randn(g, 1024);
        beta = Tensor.randn(g, 1024);
        image = Tensor.randn(g, 8, 64, 56, 56);  // a ResNet-18 stage-1 activation
        stem = Tensor.randn(g, 8, 64, 112, 112);  // ResNet-18's stem output, before its max pool
        bnMean = Tensor.zeros(64);
        bnVar = Tensor.zeros(64).add(1.0);
        bnGamma = Tensor.zeros(64).add(1.0);
        bnBeta = Tensor.zeros(64);
        // exp and tanh through the unary kernel first, as any model with a softmax or GELU does:
        // a unary loop shared by all codes stopped being intrinsified after this (relu 10x slower)
        for (int i = 0; i < 2000; i++) {
            try (var scope = MemoryScope.open("warm")) {
                rowsB.exp().tanh();
            }
        }
    }

    /** (a * b + a).relu().exp(): four elementwise ops over 512K floats. */
    @Benchmark
    public void elementwiseChain() {
        try (var scope = MemoryScope.open("jmh")) {
            rows.mul(rowsB).add(rows).relu().exp();
        }
    }

    @Benchmark
    public void softmaxLastAxis() {
        try (var scope = MemoryScope.open("jmh")) {
            F.softmax(rows, -1);
        }
    }

    @Benchmark
    public void layerNorm() {
        try (var scope = MemoryScope.open("jmh")) {
            F.layerNorm(rows, new int[] {1024}, gamma, beta, 1e-5);
        }
    }

    @Benchmark
    public void batchNormTraining() {
        try (var scope = MemoryScope.open("jmh")) {
            F.batchNorm(image, bnMean, bnVar, bnGamma, bnBeta, true, 0.1, 1e-5);
        }
    }

    /** The sum over (N, H, W) of an NCHW activation: a conv bias gradient. */
    @Benchmark
    public void sumOverBatchAndPlane() {
        try (var scope = MemoryScope.open("jmh")) {
            image.sum(new int[] {0, 2, 3}, false);
        }
    }

    /** ReLU over 1.6 M floats after the setup's exp/tanh. */
    @Benchmark
    public void reluAfterTranscendentals() {
        try (var scope = MemoryScope.open("jmh")) {
            image.relu();
        }
    }

    /** 2x2 stride-2 max pooling of a ResNet-18 stage-1 activation, with indices as training keeps them. */
    @Benchmark
    public void maxPool2x2() {
        try (var scope = MemoryScope.open("jmh")) {
            F.maxPool2d(image, 2);
        }
    }

    /** ResNet-18's 3x3 stride-2 padding-1 max pool over its stem output, with indices. */
    @Benchmark
    public void maxPool3x3Stride2() {
        try (var scope = MemoryScope.open("jmh")) {
            F.maxPool2d(stem, 3, 2, 1);
        }
    }
}
