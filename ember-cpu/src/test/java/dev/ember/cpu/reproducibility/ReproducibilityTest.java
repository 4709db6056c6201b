package dev.ember.cpu.reproducibility;

import dev.ember.cpu.CpuParallel;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A seeded CPU run must repeat bit for bit (as PyTorch's does on CPU): a kernel's result may
 * depend on the shapes and the configured thread count, never on thread timing or on how far the
 * JIT has got. {@link KernelRuns} hashes the outputs of the kernels at risk; here they are
 * compared across repeated runs, across JIT tiers (the Vector API's lane reductions are ordered,
 * and its EXP approximated, differently by the interpreter and C1 than by C2) and across runs
 * with more threads than cores.
 */
class ReproducibilityTest {

    /** Repeated runs in this JVM, with its thread count, give the same bits from the first run on (before and after C2). */
    @Test
    void repeatedRunsGiveIdenticalBits() {
        String reductions = KernelRuns.line(KernelRuns.reductions()), conv = KernelRuns.line(KernelRuns.conv());
        for (int r = 1; r < 30; r++) {
            assertEquals(reductions, KernelRuns.line(KernelRuns.reductions()), "run " + r + " vs the first");
            if (r % 8 == 0) assertEquals(conv, KernelRuns.line(KernelRuns.conv()), "run " + r + " vs the first");
        }
    }

    /**
     * The sums and the sigmoid after C2 has compiled them (here, after warm-up) equal those of a
     * JVM that never runs C2, where the Vector API falls back to Java code.
     */
    @Test
    void compiledAndUncompiledKernelsGiveIdenticalBits() throws Exception {
        Map<String, Long> warm = null;
        for (int r = 0; r < 40; r++) warm = KernelRuns.reductions();
        List<String> c1 = runKernels("reductions", 1, "-XX:TieredStopAtLevel=1", "-Dember.cpu.threads=" + CpuParallel.threads());
        assertEquals(KernelRuns.line(warm), c1.getFirst(), "C2 (this JVM) vs C1 only (a child JVM)");
    }

    /**
     * With four threads on however many cores, threads finish in varying order; the weight
     * gradient, whose per-thread shares of the batch are added up, must not follow that order.
     */
    @Test
    void convolutionWithMoreThreadsThanCoresGivesIdenticalBits() throws Exception {
        List<String> runs = runKernels("conv", 8, "-Dember.cpu.threads=4");
        assertEquals(8, runs.size(), String.join("\n", runs));
        for (int r = 1; r < runs.size(); r++) assertEquals(runs.getFirst(), runs.get(r), "4 threads, run " + r + " vs run 0");
    }

    /** The output lines of {@code KernelRuns mode reps} in a child JVM with this JVM's class path and the given flags. */
    private static List<String> runKernels(String mode, int reps, String... flags) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(List.of("--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Xmx1g"));
        cmd.addAll(List.of(flags));
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), KernelRuns.class.getName(), mode, Integer.toString(reps)));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("child JVM " + cmd + " did not finish in 120 s");
        }
        assertEquals(0, p.exitValue(), "child JVM " + cmd + " failed; its output:\n" + out);
        // the JVM's own warnings (incubator module) share the stream
        return out.lines().filter(l -> l.matches("[a-z_0-9]+=\\p{XDigit}+( .*)?")).toList();
    }
}
