package dev.ember.core.memory;

import dev.ember.core.Device;
import dev.ember.core.backend.Allocator;

import java.lang.foreign.MemorySegment;
import java.lang.ref.Cleaner;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A block of device memory that one or more tensors (a base and its views) look into.
 *
 * <p>Storage is returned to its allocator in one of three ways, whichever comes first: the
 * {@link MemoryScope} it was made in closes, {@link #release()} is called, or it becomes
 * unreachable (a {@link Cleaner} is the safety net). After release any access raises a clear
 * {@link IllegalStateException} instead of touching reused memory.
 *
 * <p>It also carries the autograd version counter, shared by all views of the same memory.
 */
public final class Storage {

    private static final Cleaner CLEANER = Cleaner.create();

    private final Device device;
    private final long byteSize;
    private final MemorySegment segment;
    private final Release release;
    private int version;

    /** What the cleaner and explicit release share; must not reference the Storage itself. */
    private static final class Release implements Runnable {
        final Allocator allocator; // null for wrapped external memory
        final MemorySegment segment;
        final long byteSize;
        final AtomicBoolean released = new AtomicBoolean();
        volatile boolean kept;
        volatile String releasedBy;

        Release(Allocator allocator, MemorySegment segment, long byteSize) {
            this.allocator = allocator;
            this.segment = segment;
            this.byteSize = byteSize;
        }

        @Override
        public void run() {
            if (released.compareAndSet(false, true) && allocator != null) {
                allocator.release(segment, byteSize);
            }
        }
    }

    private Storage(Device device, long byteSize, MemorySegment segment, Allocator allocator) {
        this.device = device;
        this.byteSize = byteSize;
        this.segment = segment;
        this.release = new Release(allocator, segment, byteSize);
        CLEANER.register(this, release);
    }

    /** New memory from the device's allocator, tracked by the current {@link MemoryScope} if any. */
    public static Storage allocate(Device device, Allocator allocator, long byteSize) {
        MemorySegment seg = allocator.allocate(Math.max(byteSize, 1));
        Storage s = new Storage(device, byteSize, seg, allocator);
        MemoryScope.track(s);
        return s;
    }

    /** Wraps memory the caller owns (for example a memory-mapped weight file), without a copy. */
    public static Storage wrap(Device device, MemorySegment segment) {
        Storage s = new Storage(device, segment.byteSize(), segment, null);
        s.release.kept = true;
        return s;
    }

    public Device device() { return device; }

    public long byteSize() { return byteSize; }

    /** The memory; throws if it was released (for example by its scope closing). */
    public MemorySegment segment() {
        if (release.released.get()) {
            throw new IllegalStateException("tensor memory was already released ("
                    + (release.releasedBy == null ? "released explicitly" : release.releasedBy)
                    + "). Keep tensors that must outlive a MemoryScope with scope.keep(tensor).");
        }
        return segment;
    }

    public boolean isReleased() { return release.released.get(); }

    /** Returns the memory to the allocator now. Idempotent. */
    public void release() { release.run(); }

    void releaseByScope(String scopeName) {
        if (release.kept) return;
        release.releasedBy = "its MemoryScope '" + scopeName + "' closed";
        release.run();
    }

    /** Exempts this storage from every enclosing {@link MemoryScope}. */
    public void keep() { release.kept = true; }

    public boolean isKept() { return release.kept; }

    public int version() { return version; }

    public void bumpVersion() { version++; }
}
