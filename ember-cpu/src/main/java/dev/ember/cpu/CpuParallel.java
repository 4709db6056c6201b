package dev.ember.cpu;

import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * The CPU backend's threads, sized to the machine (override with {@code -Dember.cpu.threads=N}),
 * and a parallel loop over index ranges.
 *
 * <p>The calling thread works too: a loop over T threads hands chunks to T - 1 pool threads and
 * claims chunks itself until none is left, then waits only for chunks a pool thread already
 * started. So a small op costs at most one wake-up rather than a hand-off to the pool and back,
 * and on a machine loaded by other processes a pool thread that is not scheduled in time simply
 * finds no chunk left: the caller has done its share.
 */
public final class CpuParallel {

    private static final int THREADS = Integer.getInteger("ember.cpu.threads", Runtime.getRuntime().availableProcessors());
    private static final ExecutorService POOL = THREADS > 1 ? Executors.newFixedThreadPool(THREADS - 1, new Workers()) : null;

    /**
     * Whether this thread is running a chunk of a loop, the caller's own chunks included. A loop
     * started there runs inline on every thread alike: before, only pool threads ran nested loops
     * inline while the caller split them, so a nested reduction's partial sums (and so its bits)
     * depended on which thread had claimed the outer chunk, which a busy pool (a data loader's
     * prefetch thread using it too) changed from run to run.
     */
    private static final ThreadLocal<boolean[]> IN_CHUNK = ThreadLocal.withInitial(() -> new boolean[1]);

    /** How long a caller spins for the last running chunks before it parks. */
    private static final long SPIN_NANOS = 50_000;

    private CpuParallel() {}

    public static int threads() { return THREADS; }

    /** A range body: processes indices [start, end). */
    @FunctionalInterface
    public interface Range {
        void run(long start, long end);
    }

    /**
     * Runs {@code body} over [0, n) in chunks of at least {@code grain} indices, in parallel when
     * there is enough work. Chunk boundaries depend only on n, grain and the thread count. A loop
     * started from inside another parallel loop's chunk runs inline.
     */
    public static void forRange(long n, long grain, Range body) {
        if (n <= 0) return;
        long chunks = Math.min(THREADS, Math.max(1, n / Math.max(1, grain)));
        if (chunks <= 1 || POOL == null || Thread.currentThread() instanceof Worker || IN_CHUNK.get()[0]) {
            body.run(0, n);
            return;
        }
        long chunk = (n + chunks - 1) / chunks;
        Job job = new Job(body, n, chunk, (int) ((n + chunk - 1) / chunk));
        for (int i = 1; i < job.count; i++) POOL.execute(job);
        job.run();
        job.await();
    }

    /** The chunks of one loop, claimed one at a time by whichever thread comes first. */
    private static final class Job implements Runnable {
        private final Range body;
        private final long n, chunk;
        private final int count;
        private final AtomicInteger next = new AtomicInteger();
        private final AtomicInteger unfinished;
        private final AtomicReference<Throwable> failure = new AtomicReference<>();
        private final Thread caller = Thread.currentThread();

        Job(Range body, long n, long chunk, int count) {
            this.body = body;
            this.n = n;
            this.chunk = chunk;
            this.count = count;
            this.unfinished = new AtomicInteger(count);
        }

        @Override
        public void run() {
            boolean[] inChunk = IN_CHUNK.get();
            boolean outer = inChunk[0];
            inChunk[0] = true;
            try {
                for (int c = next.getAndIncrement(); c < count; c = next.getAndIncrement()) {
                    try {
                        if (failure.get() == null) body.run(c * chunk, Math.min(n, (c + 1) * chunk));
                    } catch (Throwable t) {
                        failure.compareAndSet(null, t);
                    } finally {
                        if (unfinished.decrementAndGet() == 0 && Thread.currentThread() != caller) LockSupport.unpark(caller);
                    }
                }
            } finally {
                inChunk[0] = outer;
            }
        }

        void await() {
            long spinUntil = System.nanoTime() + SPIN_NANOS;
            while (unfinished.get() > 0) {
                if (System.nanoTime() < spinUntil) Thread.onSpinWait();
                else LockSupport.parkNanos(this, 100_000);
            }
            Throwable t = failure.get();
            if (t instanceof RuntimeException r) throw r;
            if (t instanceof Error e) throw e;
            if (t != null) throw new IllegalStateException(t);
        }
    }

    /** Pool threads: daemons, so an application's exit never waits for them. */
    private static final class Worker extends Thread {
        Worker(Runnable r, int i) {
            super(r, "ember-cpu-" + i);
            setDaemon(true);
        }
    }

    private static final class Workers implements ThreadFactory {
        private final AtomicInteger made = new AtomicInteger();

        @Override
        public Thread newThread(Runnable r) { return new Worker(r, made.incrementAndGet()); }
    }
}
