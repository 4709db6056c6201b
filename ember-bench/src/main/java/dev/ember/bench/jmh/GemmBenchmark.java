package dev.ember.bench.jmh;

import dev.ember.core.Tensor;
import dev.ember.core.memory.MemoryScope;
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
 * Square f32 matmul, n x n by n x n; GFLOP/s = 2 n^3 / time. Run with
 * {@code java --add-modules jdk.incubator.vector -cp 'ember-bench/target/ember-bench.jar:ember-bench/target/lib/*' org.openjdk.jmh.Main GemmBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class GemmBenchmark {

    @Param({"64", "128", "256", "512", "1024", "2048"})
    public int n;

    private Tensor a, b;

    @Setup
    public void setup() {
        Generator g = Generator.seeded(1);
        a = Tensor.randn(g, n, n);
        b = Tensor.randn(g, n, n);
    }

    @Benchmark
    public void matmul() {
        try (var scope = MemoryScope.open("jmh")) {
            a.matmul(b);
        }
    }
}
