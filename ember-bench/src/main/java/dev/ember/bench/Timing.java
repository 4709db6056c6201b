package dev.ember.bench;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Timing of repeated steps: wall-clock median and minimum in milliseconds, and the process's CPU
 * time per step ({@code cpu_ms}: all threads, native ones included). On a shared, overloaded
 * machine wall time mostly measures the scheduler; CPU time per step does not, though it also
 * counts threads that spin while waiting (libtorch's OpenMP pool does), so it flatters nobody.
 */
public final class Timing {

    private Timing() {}

    /** A step that may throw (engines' APIs throw checked exceptions). */
    @FunctionalInterface
    public interface Step {
        void run() throws Exception;
    }

    /** Runs {@code warmup} untimed then {@code reps} timed steps; returns ms per step. */
    public static double[] times(Step step, int reps, int warmup) throws Exception {
        return run(step, reps, warmup).ms;
    }

    private record Run(double[] ms, double cpuMsPerStep) {}

    private static Run run(Step step, int reps, int warmup) throws Exception {
        for (int i = 0; i < warmup; i++) step.run();
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

    /** {@code ms_median} and {@code ms_min} (with {@code suffix}) of a step. */
    public static Map<String, Double> stepMetrics(Step step, int reps, int warmup, String suffix) throws Exception {
        Run run = run(step, reps, warmup);
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
