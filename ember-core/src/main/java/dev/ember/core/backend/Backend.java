package dev.ember.core.backend;

import dev.ember.core.Device;
import dev.ember.core.memory.Storage;

import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * A backend is small: an allocator per device, copies between host and device,
 * synchronisation, and a table of kernels for the primitive ops. It is found through
 * {@link java.util.ServiceLoader}; nothing above ember-core names a backend class.
 */
public interface Backend {

    /** The device type this backend serves: {@code cpu}, {@code cuda}. */
    String deviceType();

    /** Whether it can run here; when not, {@link #unavailableReason()} says why in one line. */
    boolean isAvailable();

    String unavailableReason();

    /** The devices it drives (empty when unavailable). */
    List<DeviceInfo> devices();

    /** Preference when choosing {@link Device#best()}: a GPU backend ranks above the CPU. */
    int priority();

    Allocator allocator(Device device);

    KernelTable kernels();

    /** Copies {@code bytes} bytes from host memory into {@code dst} at byte offset {@code dstOffset}. */
    void copyFromHost(MemorySegment src, long srcOffset, Storage dst, long dstOffset, long bytes);

    /** Copies {@code bytes} bytes from {@code src} at byte offset {@code srcOffset} into host memory. */
    void copyToHost(Storage src, long srcOffset, MemorySegment dst, long dstOffset, long bytes);

    /** Waits until all work queued on the device is done. */
    void synchronize(Device device);
}
