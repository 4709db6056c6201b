package dev.ember.cpu;

import dev.ember.core.Device;
import dev.ember.core.backend.Allocator;
import dev.ember.core.memory.EmberOutOfMemoryError;
import dev.ember.core.memory.MemoryStats;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Off-heap host memory for CPU tensors, with a cache of freed blocks by size class, so a
 * training step reuses the blocks of the previous one instead of allocating (and zeroing) anew.
 * Blocks come from automatic arenas: dropping a cached block lets the garbage collector free it.
 */
final class CpuAllocator implements Allocator {

    private static final long ALIGN = 64;
    /** Cached bytes beyond this are given back rather than kept. */
    private static final long CACHE_LIMIT = Long.getLong("ember.cpu.cacheLimitBytes", 2L << 30);

    private final ConcurrentHashMap<Long, ConcurrentLinkedDeque<MemorySegment>> cache = new ConcurrentHashMap<>();
    private final AtomicLong current = new AtomicLong();
    private final AtomicLong peak = new AtomicLong();
    private final AtomicLong cached = new AtomicLong();
    private final AtomicLong allocations = new AtomicLong();
    private final AtomicLong hits = new AtomicLong();

    /** Size classes: multiples of 64 B up to 64 KiB, then 8 steps per power of two. */
    static long sizeClass(long bytes) {
        if (bytes <= 65536) return Math.max(ALIGN, (bytes + ALIGN - 1) & -ALIGN);
        int shift = 63 - Long.numberOfLeadingZeros(bytes) - 3;
        long step = 1L << shift;
        return (bytes + step - 1) & -step;
    }

    @Override
    public MemorySegment allocate(long bytes) {
        long size = sizeClass(bytes);
        allocations.incrementAndGet();
        MemorySegment seg = null;
        ConcurrentLinkedDeque<MemorySegment> q = cache.get(size);
        if (q != null) seg = q.pollFirst();
        if (seg != null) {
            hits.incrementAndGet();
            cached.addAndGet(-size);
        } else {
            seg = fresh(size);
        }
        long now = current.addAndGet(size);
        peak.accumulateAndGet(now, Math::max);
        return seg; // the whole size class: release() gets it back as it was handed out
    }

    private MemorySegment fresh(long size) {
        try {
            return Arena.ofAuto().allocate(size, ALIGN);
        } catch (OutOfMemoryError e) {
            emptyCache();
            System.gc();
            try {
                return Arena.ofAuto().allocate(size, ALIGN);
            } catch (OutOfMemoryError again) {
                throw new EmberOutOfMemoryError(Device.CPU, size, stats(), again);
            }
        }
    }

    @Override
    public void release(MemorySegment block, long bytes) {
        long size = block.byteSize();
        current.addAndGet(-size);
        if (cached.get() + size > CACHE_LIMIT) return; // let the GC free it
        cache.computeIfAbsent(size, k -> new ConcurrentLinkedDeque<>()).addFirst(block);
        cached.addAndGet(size);
    }

    @Override
    public MemoryStats stats() {
        return new MemoryStats(current.get(), peak.get(), cached.get(), allocations.get(), hits.get());
    }

    @Override
    public void emptyCache() {
        for (var q : cache.values()) {
            MemorySegment s;
            while ((s = q.pollFirst()) != null) cached.addAndGet(-s.byteSize());
        }
    }
}
