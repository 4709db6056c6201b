package dev.ember.cpu;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Runs one step of each chunk of a {@link CpuParallel#forRange} loop in the order of the chunks'
 * ranges, whatever order the threads reach it in. For partial sums merged into a shared total:
 * float addition is not associative, so merging in completion order made the total depend on
 * thread timing (with three or more threads), where merging by range makes it depend only on the
 * chunks, that is on n, the grain and the thread count.
 *
 * <p>The chunks must cover [0, n) from 0, as forRange's do. A chunk waits only for chunks with
 * lower ranges, which were claimed before it by running threads, so the waits always end; a body
 * wrapped by {@link #guard} that fails lets the chunks after it stop waiting (the loop rethrows
 * its exception).
 *
 * <pre>{@code
 * ChunkOrder order = new ChunkOrder();
 * CpuParallel.forRange(n, 1, order.guard((s, e) -> {
 *     float[] part = partialSum(s, e);                   // in parallel
 *     order.run(s, e, () -> addInto(total, part));       // one chunk at a time, [0, ...) first
 * }));
 * }</pre>
 */
public final class ChunkOrder {

    /** How long a chunk spins for its turn before it parks between checks. */
    private static final long SPIN_NANOS = 50_000;

    /** The end of the ranges whose step has run: the start of the range whose turn it is. */
    private final AtomicLong done = new AtomicLong();
    private volatile boolean abandoned;

    /** Runs {@code step} for the chunk [start, end) once every chunk before it has run its step. */
    public void run(long start, long end, Runnable step) {
        long spinUntil = System.nanoTime() + SPIN_NANOS;
        while (done.get() != start) {
            if (abandoned) return;
            if (System.nanoTime() < spinUntil) Thread.onSpinWait();
            else LockSupport.parkNanos(this, 20_000);
        }
        try {
            step.run();
        } catch (RuntimeException | Error t) {
            abandoned = true;
            throw t;
        } finally {
            done.set(end);
        }
    }

    /**
     * {@code body}, which marks the loop as failed when it throws: chunks waiting for their turn
     * then return without running their step, rather than wait for a turn that never comes.
     */
    public CpuParallel.Range guard(CpuParallel.Range body) {
        return (start, end) -> {
            try {
                body.run(start, end);
            } catch (RuntimeException | Error t) {
                abandoned = true;
                throw t;
            }
        };
    }
}
