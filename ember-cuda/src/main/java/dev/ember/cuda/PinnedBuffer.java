package dev.ember.cuda;

import java.lang.foreign.MemorySegment;

/**
 * Page-locked host memory: the GPU copies from and to it directly, so copies run asynchronously
 * and overlap with compute (the data loader fills one while the GPU trains on the last).
 *
 * <pre>{@code
 * try (PinnedBuffer p = device.allocatePinned(bytes)) { ...; device.copyFromPinnedAsync(p, 0, dst, bytes); }
 * }</pre>
 */
public final class PinnedBuffer implements AutoCloseable {

    private final CudaDevice device;
    private final MemorySegment segment;
    private boolean closed;

    PinnedBuffer(CudaDevice device, MemorySegment segment) {
        this.device = device;
        this.segment = segment;
    }

    public MemorySegment segment() {
        if (closed) throw new IllegalStateException("pinned buffer was freed");
        return segment;
    }

    /** Frees the memory after the device's queued work (which may still read it) has finished. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        device.synchronize();
        device.driver().memFreeHost(segment);
    }
}
