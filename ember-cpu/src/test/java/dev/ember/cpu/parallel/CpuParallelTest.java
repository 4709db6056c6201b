package dev.ember.cpu.parallel;

import dev.ember.cpu.CpuParallel;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link CpuParallel#forRange}'s contract: every index once, chunk boundaries that depend only on
 * n, the grain and the thread count, and a loop started inside a chunk run inline as one range
 * on whichever thread runs that chunk, the caller included. (The caller used to split its nested
 * loops while pool threads ran theirs inline, so a nested reduction's bits depended on which
 * thread had claimed the outer chunk.)
 */
class CpuParallelTest {

    @Test
    void everyIndexExactlyOnce() {
        for (long n : new long[] {1, 2, 3, 17, 1000}) {
            AtomicLong sum = new AtomicLong(), count = new AtomicLong();
            CpuParallel.forRange(n, 1, (s, e) -> {
                for (long i = s; i < e; i++) { sum.addAndGet(i); count.incrementAndGet(); }
            });
            assertEquals(n, count.get(), "indices visited for n = " + n);
            assertEquals(n * (n - 1) / 2, sum.get(), "index sum for n = " + n);
        }
    }

    @Test
    void nestedLoopsRunInlineOnEveryThread() {
        Assumptions.assumeTrue(CpuParallel.threads() > 1, () -> "one thread (ember.cpu.threads=" + CpuParallel.threads()
                + "): no loop is split, so there is no nesting to check");
        for (int rep = 0; rep < 50; rep++) {
            ConcurrentLinkedQueue<String> nested = new ConcurrentLinkedQueue<>();
            CpuParallel.forRange(CpuParallel.threads() * 4L, 1, (s, e) -> {
                for (long i = s; i < e; i++) {
                    String thread = Thread.currentThread().getName();
                    CpuParallel.forRange(1000, 1, (a, b) -> nested.add(thread + " ran [" + a + ", " + b + ")"));
                }
            });
            for (String r : nested) assertTrue(r.endsWith("ran [0, 1000)"), "a nested loop was split: " + r);
            assertEquals(CpuParallel.threads() * 4L, nested.size());
        }
    }
}
