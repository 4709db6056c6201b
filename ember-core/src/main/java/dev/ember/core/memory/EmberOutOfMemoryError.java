package dev.ember.core.memory;

import dev.ember.core.Device;

/** A device ran out of memory. The message names the size asked for and what to try. */
public final class EmberOutOfMemoryError extends RuntimeException {
    public EmberOutOfMemoryError(Device device, long requestedBytes, MemoryStats stats, Throwable cause) {
        super("out of memory on " + device + ": asked for " + MemoryStats.human(requestedBytes)
                + " (" + requestedBytes + " bytes) with " + stats + ". Try a smaller batch, "
                + "gradient checkpointing, mixed precision (f16/bf16), or a larger heap/device.", cause);
    }
}
