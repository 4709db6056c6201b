package dev.ember.core.backend;

import dev.ember.core.memory.MemoryStats;

import java.lang.foreign.MemorySegment;

/**
 * Hands out device memory for tensor storage. Implementations cache freed blocks, so the hot
 * loop of a training step reuses memory instead of asking the system for it.
 */
public interface Allocator {

    /**
     * A block of at least {@code bytes} bytes, aligned to 64 bytes; its contents are undefined.
     * On the CPU the segment is host memory; on a GPU its address is the device pointer.
     *
     * @throws dev.ember.core.memory.EmberOutOfMemoryError when the device has no room, naming the size
     */
    MemorySegment allocate(long bytes);

    /** Gives a block back; it may be cached for reuse. Called at most once per block. */
    void release(MemorySegment block, long bytes);

    MemoryStats stats();

    /** Frees every cached (unused) block. */
    void emptyCache();
}
