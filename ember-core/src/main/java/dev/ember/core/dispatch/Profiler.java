package dev.ember.core.dispatch;

import dev.ember.core.Tensor;
import dev.ember.core.ops.Op;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Where the time of a piece of work goes, op by op: while a profiler is open, every kernel the
 * dispatcher runs (forward, backward and optimizer ops alike, on any thread) is timed, output
 * allocation included, and counted under its op name and input shapes.
 *
 * <pre>{@code
 * try (Profiler p = Profiler.start()) {
 *     Tensor loss = F.crossEntropy(model.forward(x), y);
 *     loss.backward();
 * }
 * System.out.print(p.table(Profiler.By.OP, 15));   // the 15 ops that took longest
 * }</pre>
 *
 * Times are host wall-clock around the kernel call: on the CPU that is the kernel's time; on an
 * asynchronous device it is the launch cost unless the kernel synchronises. Ops that have no kernel
 * of their own (composites that decompose, views) are not listed; the primitives they turn into are.
 * One profiler is active at a time; opening a second while one is open is refused.
 */
public final class Profiler implements AutoCloseable {

    /** How {@link #table} groups the calls. */
    public enum By {
        /** one row per op name */
        OP,
        /** one row per op name and input shapes */
        OP_AND_SHAPES
    }

    /** Totals for one row: calls and nanoseconds. */
    public record Row(String key, long calls, long nanos) {
        /** Milliseconds in total. */
        public double totalMs() { return nanos / 1e6; }
    }

    private static volatile Profiler active;

    private final Map<String, LongAdder[]> byOp = new ConcurrentHashMap<>();
    private final Map<String, LongAdder[]> byShapes = new ConcurrentHashMap<>();
    private final long started = System.nanoTime();
    private volatile long stopped = -1;

    private Profiler() {}

    /** Starts timing kernels; close the profiler to stop. */
    public static synchronized Profiler start() {
        if (active != null) throw new IllegalStateException("Profiler: one is already running; close it before starting another");
        Profiler p = new Profiler();
        active = p;
        return p;
    }

    /** The running profiler, or null: read on every kernel call, so it is a plain volatile field. */
    static Profiler active() { return active; }

    void record(Op<?> op, Tensor[] in, long nanos) {
        add(byOp, op.name(), nanos);
        StringBuilder key = new StringBuilder(op.name());
        for (Tensor t : in) key.append(' ').append(t == null ? "-" : Arrays.toString(t.shape()));
        add(byShapes, key.toString(), nanos);
    }

    private static void add(Map<String, LongAdder[]> m, String key, long nanos) {
        LongAdder[] a = m.computeIfAbsent(key, k -> new LongAdder[] {new LongAdder(), new LongAdder()});
        a[0].increment();
        a[1].add(nanos);
    }

    /** Stops recording; the figures stay readable. */
    @Override
    public synchronized void close() {
        synchronized (Profiler.class) {
            if (active == this) active = null;
        }
        if (stopped < 0) stopped = System.nanoTime();
    }

    /** The rows, longest total first. */
    public List<Row> rows(By by) {
        List<Row> rows = new ArrayList<>();
        (by == By.OP ? byOp : byShapes).forEach((k, a) -> rows.add(new Row(k, a[0].sum(), a[1].sum())));
        rows.sort(Comparator.comparingLong(Row::nanos).reversed().thenComparing(Row::key));
        return rows;
    }

    /** Milliseconds from start to close (or to now, while open). */
    public double elapsedMs() {
        long end = stopped < 0 ? System.nanoTime() : stopped;
        return (end - started) / 1e6;
    }

    /**
     * A text table of the {@code limit} longest rows: total and mean milliseconds, calls, and the
     * share of the profiled wall time, with a last line for what kernels did not account for
     * (Java-side dispatch, autograd bookkeeping, garbage collection).
     */
    public String table(By by, int limit) {
        List<Row> rows = rows(by);
        double wall = elapsedMs();
        double kernels = rows.stream().mapToDouble(Row::totalMs).sum();
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%10s %10s %8s %7s  %s%n", "total_ms", "mean_ms", "calls", "share", by == By.OP ? "op" : "op and input shapes"));
        for (Row r : rows.subList(0, Math.min(limit, rows.size()))) {
            sb.append(String.format(Locale.ROOT, "%10.3f %10.4f %8d %6.1f%%  %s%n",
                    r.totalMs(), r.totalMs() / r.calls(), r.calls(), wall > 0 ? 100 * r.totalMs() / wall : 0, r.key()));
        }
        sb.append(String.format(Locale.ROOT, "%10.3f %10s %8s %6.1f%%  %s%n", Math.max(0, wall - kernels), "", "",
                wall > 0 ? 100 * Math.max(0, wall - kernels) / wall : 0, "(outside kernels)"));
        return sb.toString();
    }
}
