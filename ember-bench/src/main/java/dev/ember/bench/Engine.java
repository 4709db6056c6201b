package dev.ember.bench;

import java.util.Map;

/**
 * One system that can run the benchmark workloads. Results are named metrics: {@code gflops_nN}
 * for W1, {@code ms_median} and {@code ms_min} per step for the train steps, and the same with a
 * {@code _bN} suffix for W5's batch sizes. Metrics with the same name are compared across engines.
 */
public interface Engine {

    /** The name printed on each result line, e.g. {@code ember}, {@code libtorch}. */
    String name();

    /**
     * Runs workload {@code w} (W1..W6).
     *
     * @throws UnsupportedOperationException with the reason when this engine cannot run it
     */
    Map<String, Double> run(String w, int reps, int warmup) throws Exception;

    /** Whether this engine takes part in workload {@code w} at all (one that does not is left out silently). */
    default boolean runs(String w) { return true; }
}
