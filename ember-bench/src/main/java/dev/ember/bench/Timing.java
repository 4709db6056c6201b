package dev.ember.bench;

import dev.ember.core.dispatch.Profiler;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Timing of repeated steps: wall-clock median and minimum in milliseconds, and the process's CPU
 * time per step ({@code cpu_ms}: all threads, native ones included). On a shared, overloaded
 * machine wall time mostly measures the scheduler; CPU time per step does not, though it also
 * counts threads that spin while waiting (libtorch's OpenMP pool does), so it flatters nobody.
 * Each measurement starts after at least {@code warmup} steps and {@link #WARMUP_SECONDS} of them.
 */
public final class Timing {

    private Timing() {}

    /** A step that may throw (engines' APIs throw checked exceptions). */
    @FunctionalInterface
    public interface Step {
        void run() throws Exception;
    }

    /**
     * The least time spent warming up before timing, in seconds ({@code -Dember.bench.warmupSeconds},
     * default 10). A JIT-compiled engine reaches its steady state only after C2 has compiled the hot
     * loops, which takes seconds rather than a fixed number of steps (C2 compiles in the background
     * on the same two cores): Ember's MLP step took 125 ms after 3 warm-up steps, 40 ms after 3
     * seconds and 15 ms after 5. Every engine gets the same policy.
     */
    static final double WARMUP_SECONDS = Double.parseDouble(System.getProperty("ember.bench.warmupSeconds", "10"));

    /** The most warm-up steps the time budget may add (a slow step warms up in a few). */
    private static final int WARMUP_MAX_STEPS = 500;

    /** Runs {@code warmup} untimed then {@code reps} timed steps; returns ms per step. */
    public static double[] times(Step step, int reps, int warmup) throws Exception {
        return run(step, reps, warmup).ms;
    }

    private record Run(double[] ms, double cpuMsPerStep) {}

    private static Run run(Step step, int reps, int warmup) throws Exception {
        long warmStart = System.nanoTime();
        for (int i = 0; i < warmup
                || (i < WARMUP_MAX_STEPS && System.nanoTime() - warmStart < WARMUP_SECONDS * 1e9); i++) {
            step.run();
        }
        double[] ms = new double[reps];
        long cpu0 = processCpuNanos();
        for (int i = 0; i < reps; i++) {
            long t = System.nanoTime();
            step.run();
            ms[i] = (System.nanoTime() - t) / 1e6;
        }
        long cpu1 = processCpuNanos();
        return new Run(ms, cpu0 < 0 || cpu1 < 0 ? Double.NaN : (cpu1 - cpu0) / 1e6 / reps);
    }

    /** CPU time of the whole process, or -1 where the JVM cannot tell. */
    static long processCpuNanos() {
        if (java.lang.management.ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return -1;
    }

    /**
     * With {@code -Dember.bench.profile=N}, after timing, N more steps run under Ember's
     * {@link Profiler} and its table (ops by total time) is printed as {@code #}-comment lines.
     * Steps of other engines run no Ember ops, so they print nothing.
     */
    static final int PROFILE_STEPS = Integer.getInteger("ember.bench.profile", 0);

    private static void profile(Step step, String label) throws Exception {
        if (PROFILE_STEPS <= 0) return;
        Profiler p = Profiler.start();
        try (p) {
            for (int i = 0; i < PROFILE_STEPS; i++) step.run();
        }
        if (p.rows(Profiler.By.OP).isEmpty()) return;
        System.out.println("# profile" + label + " over " + PROFILE_STEPS + " steps, by op:");
        p.table(Profiler.By.OP, 20).lines().forEach(l -> System.out.println("#   " + l));
        System.out.println("# by op and input shapes:");
        p.table(Profiler.By.OP_AND_SHAPES, 20).lines().forEach(l -> System.out.println("#   " + l));
    }

    /** {@code ms_median} and {@code ms_min} (with {@code suffix}) of a step. */
    public static Map<String, Double> stepMetrics(Step step, int reps, int warmup, String suffix) throws Exception {
        Run run = run(step, reps, warmup);
        profile(step, suffix);
        double[] ms = run.ms;
        Arrays.sort(ms);
        Map<String, Double> r = new LinkedHashMap<>();
        r.put("ms_median" + suffix, ms.length % 2 == 1 ? ms[ms.length / 2] : (ms[ms.length / 2 - 1] + ms[ms.length / 2]) / 2);
        r.put("ms_min" + suffix, ms[0]);
        if (!Double.isNaN(run.cpuMsPerStep)) r.put("cpu_ms" + suffix, run.cpuMsPerStep);
        return r;
    }

    /** Best GFLOP/s of {@code reps} timed runs of a step doing {@code flops} floating-point operations. */
    public static double gflops(Step step, double flops, int reps, int warmup) throws Exception {
        double[] ms = times(step, reps, warmup);
        return flops / Arrays.stream(ms).min().orElseThrow() / 1e6;
    }

    /**
     * {@code gflops<suffix>}, the best wall-clock rate of {@code reps} runs, and
     * {@code gflops_cpu<suffix>}, the flops of all timed runs over the process CPU time they took.
     */
    public static Map<String, Double> gflopsMetrics(Step step, double flops, int reps, int warmup, String suffix) throws Exception {
        Run run = run(step, reps, warmup);
        Map<String, Double> r = new LinkedHashMap<>();
        r.put("gflops" + suffix, flops / Arrays.stream(run.ms).min().orElseThrow() / 1e6);
        if (!Double.isNaN(run.cpuMsPerStep)) r.put("gflops_cpu" + suffix, flops / run.cpuMsPerStep / 1e6);
        return r;
    }

    /** The GEMM sizes of W1. */
    public static final int[] W1_SIZES = {512, 1024, 2048};
}
