package dev.ember.cuda;

import dev.ember.core.Device;
import dev.ember.core.backend.Allocator;
import dev.ember.core.memory.EmberOutOfMemoryError;
import dev.ember.core.memory.MemoryStats;

import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * Device memory with a cache of freed blocks, keyed by stream and size class, so a training
 * step reuses the previous step's blocks instead of calling cuMemAlloc (which synchronises).
 * A block freed on a stream is only reused on that stream, where the work that used it is
 * ordered before any new use. When the device is full the cache is emptied and the allocation
 * retried once before an {@link EmberOutOfMemoryError} names the size.
 *
 * <pre>{@code
 * MemorySegment block = device.allocator().allocate(1 << 20); // address() is the device pointer
 * device.allocator().release(block, 1 << 20);
 * }</pre>
 */
public final class CudaAllocator implements Allocator {

    /** The raw memory calls, so the cache logic can be tested without a GPU. */
    public interface DeviceMemory {
        long alloc(long bytes);
        void free(long ptr);
        /** Waits for the stream's queued work, before cached blocks are given back to the driver. */
        void synchronize();
    }

    private final Device device;
    private final DeviceMemory memory;
    private final long streamId;
    private final Map<Long, ArrayDeque<Long>> cache = new HashMap<>();
    private long current, peak, cached, allocations, hits;

    public CudaAllocator(Device device, DeviceMemory memory, long streamId) {
        this.device = device;
        this.memory = memory;
        this.streamId = streamId;
    }

    /** Multiples of 512 B up to 1 MiB, then 8 classes per power of two (at most 12.5% waste). */
    public static long sizeClass(long bytes) {
        if (bytes <= (1 << 20)) return Math.max(512, (bytes + 511) & -512L);
        int shift = 63 - Long.numberOfLeadingZeros(bytes) - 3;
        long step = 1L << shift;
        return (bytes + step - 1) & -step;
    }

    /** The stream whose work this allocator's blocks are ordered with. */
    public long streamId() { return streamId; }

    @Override
    public synchronized MemorySegment allocate(long bytes) {
        long size = sizeClass(bytes);
        allocations++;
        ArrayDeque<Long> q = cache.get(size);
        Long ptr = q == null ? null : q.pollFirst();
        if (ptr != null) {
            hits++;
            cached -= size;
        } else {
            ptr = fresh(size);
        }
        current += size;
        peak = Math.max(peak, current);
        return MemorySegment.ofAddress(ptr).reinterpret(size);
    }

    private long fresh(long size) {
        try {
            return memory.alloc(size);
        } catch (CudaException e) {
            if (e.status() != CudaException.CUDA_ERROR_OUT_OF_MEMORY) throw e;
            emptyCacheLocked();
            try {
                return memory.alloc(size);
            } catch (CudaException again) {
                if (again.status() != CudaException.CUDA_ERROR_OUT_OF_MEMORY) throw again;
                throw new EmberOutOfMemoryError(device, size, stats(), again);
            }
        }
    }

    @Override
    public synchronized void release(MemorySegment block, long bytes) {
        long size = block.byteSize();
        current -= size;
        cache.computeIfAbsent(size, k -> new ArrayDeque<>()).addFirst(block.address());
        cached += size;
    }

    @Override
    public synchronized MemoryStats stats() { return new MemoryStats(current, peak, cached, allocations, hits); }

    /** Starts peak tracking again from the current use. */
    public synchronized void resetPeak() { peak = current; }

    @Override
    public synchronized void emptyCache() { emptyCacheLocked(); }

    private void emptyCacheLocked() {
        if (cached == 0) return;
        memory.synchronize();
        for (var e : cache.entrySet()) {
            Long p;
            while ((p = e.getValue().pollFirst()) != null) {
                memory.free(p);
                cached -= e.getKey();
            }
        }
    }
}
