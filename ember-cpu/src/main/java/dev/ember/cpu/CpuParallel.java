package dev.ember.cpu;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.RecursiveAction;

/**
 * The one thread pool of the CPU backend, sized to the machine (override with
 * {@code -Dember.cpu.threads=N}), and a parallel loop over index ranges.
 */
public final class CpuParallel {

    private static final int THREADS = Integer.getInteger("ember.cpu.threads", Runtime.getRuntime().availableProcessors());
    private static final ForkJoinPool POOL = THREADS > 1 ? new ForkJoinPool(THREADS) : null;

    private CpuParallel() {}

    public static int threads() { return THREADS; }

    /** A range body: processes indices [start, end). */
    @FunctionalInterface
    public interface Range {
        void run(long start, long end);
    }

    /**
     * Runs {@code body} over [0, n) in chunks of at least {@code grain} indices, in parallel when
     * there is enough work. Chunk boundaries depend only on n, grain and the thread count.
     */
    public static void forRange(long n, long grain, Range body) {
        if (n <= 0) return;
        long chunks = Math.min(THREADS, Math.max(1, n / Math.max(1, grain)));
        if (chunks <= 1 || POOL == null || insidePool()) {
            body.run(0, n);
            return;
        }
        POOL.invoke(new Split(body, 0, n, (n + chunks - 1) / chunks));
    }

    /** Nested parallel loops run inline: the outer loop already uses every thread. */
    private static boolean insidePool() {
        return Thread.currentThread() instanceof ForkJoinWorkerThread w && w.getPool() == POOL;
    }

    private static final class Split extends RecursiveAction {
        private final Range body;
        private final long start, end, chunk;

        Split(Range body, long start, long end, long chunk) {
            this.body = body;
            this.start = start;
            this.end = end;
            this.chunk = chunk;
        }

        @Override
        protected void compute() {
            if (end - start <= chunk) {
                body.run(start, end);
                return;
            }
            long mid = start + ((end - start) / chunk / 2) * chunk;
            if (mid <= start) mid = start + chunk;
            invokeAll(new Split(body, start, mid, chunk), new Split(body, mid, end, chunk));
        }
    }
}
