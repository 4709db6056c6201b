package dev.ember.bench;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/** Wall-clock timing of repeated steps: median and minimum in milliseconds. */
public final class Timing {

    private Timing() {}

    /** A step that may throw (engines' APIs throw checked exceptions). */
    @FunctionalInterface
    public interface Step {
        void run() throws Exception;
    }

    /** Runs {@code warmup} untimed then {@code reps} timed steps; returns ms per step. */
    public static double[] times(Step step, int reps, int warmup) throws Exception {
        for (int i = 0; i < warmup; i++) step.run();
        double[] ms = new double[reps];
        for (int i = 0; i < reps; i++) {
            long t = System.nanoTime();
            step.run();
            ms[i] = (System.nanoTime() - t) / 1e6;
        }
        return ms;
    }

    /** {@code ms_median} and {@code ms_min} (with {@code suffix}) of a step. */
    public static Map<String, Double> stepMetrics(Step step, int reps, int warmup, String suffix) throws Exception {
        double[] ms = times(step, reps, warmup);
        Arrays.sort(ms);
        Map<String, Double> r = new LinkedHashMap<>();
        r.put("ms_median" + suffix, ms.length % 2 == 1 ? ms[ms.length / 2] : (ms[ms.length / 2 - 1] + ms[ms.length / 2]) / 2);
        r.put("ms_min" + suffix, ms[0]);
        return r;
    }

    /** Best GFLOP/s of {@code reps} timed runs of a step doing {@code flops} floating-point operations. */
    public static double gflops(Step step, double flops, int reps, int warmup) throws Exception {
        double[] ms = times(step, reps, warmup);
        return flops / Arrays.stream(ms).min().orElseThrow() / 1e6;
    }

    /** The GEMM sizes of W1. */
    public static final int[] W1_SIZES = {512, 1024, 2048};
}
