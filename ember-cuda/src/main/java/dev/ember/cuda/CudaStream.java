package dev.ember.cuda;

import java.lang.foreign.MemorySegment;

/**
 * A CUDA stream: work queued on it runs in order, and overlaps with other streams' work.
 *
 * <pre>{@code
 * try (CudaStream s = device.newStream()) { ...; s.synchronize(); }
 * }</pre>
 */
public final class CudaStream implements AutoCloseable {

    private final CudaDevice device;
    private final MemorySegment handle;
    private boolean closed;

    CudaStream(CudaDevice device, MemorySegment handle) {
        this.device = device;
        this.handle = handle;
    }

    public MemorySegment handle() { return handle; }

    public void synchronize() {
        device.makeCurrent();
        device.driver().streamSynchronize(handle);
    }

    /** Makes later work on this stream wait until {@code event} has completed. */
    public void waitFor(CudaEvent event) {
        device.makeCurrent();
        device.driver().streamWaitEvent(handle, event.handle());
    }

    /** Records a new event at the current end of this stream. */
    public CudaEvent record(boolean timing) {
        CudaEvent e = device.newEvent(timing);
        e.record(this);
        return e;
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        device.makeCurrent();
        device.driver().streamDestroy(handle);
    }
}
