package dev.ember.cpu;

import dev.ember.core.Device;
import dev.ember.core.backend.Allocator;
import dev.ember.core.memory.EmberOutOfMemoryError;
import dev.ember.core.memory.MemoryStats;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Off-heap host memory for CPU tensors, with a cache of freed blocks by size class, so a
 * training step reuses the blocks of the previous one instead of allocating (and zeroing) anew.
 * Fresh blocks come from the C library's {@code aligned_alloc} and are given back with {@code free}
 * when the cache drops them; unlike {@link Arena#allocate} they are not zero-filled, which cost a
 * full extra pass over every new activation. Nothing may rely on fresh memory being zero (cached
 * blocks never were). Freed blocks are never touched again: a tensor reaches its memory only through
 * {@code Storage.segment()}, which refuses once the storage is released. Where {@code aligned_alloc}
 * is missing (not a POSIX C library) blocks come from automatic arenas and the GC frees them.
 */
final class CpuAllocator implements Allocator {

    private static final long ALIGN = 64;
    /** Cached bytes beyond this are given back rather than kept. */
    private static final long CACHE_LIMIT = Long.getLong("ember.cpu.cacheLimitBytes", 2L << 30);

    private static final MethodHandle ALIGNED_ALLOC, FREE;

    static {
        MethodHandle alloc = null, free = null;
        if (!Boolean.getBoolean("ember.cpu.arenaAllocator")) {
            try {
                Linker linker = Linker.nativeLinker();
                var lookup = linker.defaultLookup();
                var a = lookup.find("aligned_alloc");
                var f = lookup.find("free");
                if (a.isPresent() && f.isPresent()) {
                    alloc = linker.downcallHandle(a.get(),
                            FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG));
                    free = linker.downcallHandle(f.get(), FunctionDescriptor.ofVoid(ValueLayout.ADDRESS));
                }
            } catch (RuntimeException | LinkageError e) {
                alloc = null; // native access not allowed or no C library: arenas
                free = null;
            }
        }
        ALIGNED_ALLOC = alloc;
        FREE = free;
    }

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
            return raw(size);
        } catch (OutOfMemoryError e) {
            emptyCache();
            System.gc();
            try {
                return raw(size);
            } catch (OutOfMemoryError again) {
                throw new EmberOutOfMemoryError(Device.CPU, size, stats(), again);
            }
        }
    }

    /** {@code size} is a size class, hence a multiple of {@link #ALIGN} as aligned_alloc requires. */
    private static MemorySegment raw(long size) {
        if (ALIGNED_ALLOC == null) return Arena.ofAuto().allocate(size, ALIGN);
        MemorySegment p;
        try {
            p = (MemorySegment) ALIGNED_ALLOC.invokeExact(ALIGN, size);
        } catch (Throwable t) {
            throw new IllegalStateException("aligned_alloc failed", t);
        }
        if (p.address() == 0) throw new OutOfMemoryError("aligned_alloc(" + size + ") returned NULL");
        return p.reinterpret(size);
    }

    private static void drop(MemorySegment block) {
        if (ALIGNED_ALLOC == null) return; // an arena block: the GC frees it
        try {
            FREE.invokeExact(block);
        } catch (Throwable t) {
            throw new IllegalStateException("free failed", t);
        }
    }

    @Override
    public void release(MemorySegment block, long bytes) {
        long size = block.byteSize();
        current.addAndGet(-size);
        if (cached.get() + size > CACHE_LIMIT) {
            drop(block);
            return;
        }
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
            while ((s = q.pollFirst()) != null) {
                cached.addAndGet(-s.byteSize());
                drop(s);
            }
        }
    }
}
