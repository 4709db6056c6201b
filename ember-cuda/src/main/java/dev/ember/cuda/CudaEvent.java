package dev.ember.cuda;

import java.lang.foreign.MemorySegment;

/**
 * A CUDA event: a point in a stream to wait for or to time against.
 *
 * <pre>{@code
 * CudaEvent a = stream.record(true); ...; CudaEvent b = stream.record(true);
 * float ms = a.elapsedMillisTo(b);
 * }</pre>
 */
public final class CudaEvent implements AutoCloseable {

    private final CudaDevice device;
    private final MemorySegment handle;
    private boolean closed;

    CudaEvent(CudaDevice device, MemorySegment handle) {
        this.device = device;
        this.handle = handle;
    }

    public MemorySegment handle() { return handle; }

    public void record(CudaStream stream) {
        device.makeCurrent();
        device.driver().eventRecord(handle, stream.handle());
    }

    public void synchronize() {
        device.makeCurrent();
        device.driver().eventSynchronize(handle);
    }

    /** Milliseconds from this event to {@code end}; both must be timing events that completed. */
    public float elapsedMillisTo(CudaEvent end) {
        end.synchronize();
        return device.driver().eventElapsedMillis(handle, end.handle());
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        device.makeCurrent();
        device.driver().eventDestroy(handle);
    }
}
