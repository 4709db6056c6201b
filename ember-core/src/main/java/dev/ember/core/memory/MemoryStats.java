package dev.ember.core.memory;

/**
 * Memory of one device as its allocator sees it.
 *
 * @param currentBytes bytes held by live tensors now
 * @param peakBytes    the most {@code currentBytes} has been since start or the last reset
 * @param cachedBytes  bytes freed by tensors and kept for reuse
 * @param allocations  blocks handed out in total
 * @param cacheHits    of those, how many came from the cache
 */
public record MemoryStats(long currentBytes, long peakBytes, long cachedBytes, long allocations, long cacheHits) {
    @Override
    public String toString() {
        return String.format("current %s, peak %s, cached %s, %d allocations (%d from cache)",
                human(currentBytes), human(peakBytes), human(cachedBytes), allocations, cacheHits);
    }

    public static String human(long bytes) {
        if (bytes < 1024) return bytes + " B";
        if (bytes < 1024L * 1024) return String.format("%.1f KiB", bytes / 1024.0);
        if (bytes < 1024L * 1024 * 1024) return String.format("%.1f MiB", bytes / (1024.0 * 1024));
        return String.format("%.2f GiB", bytes / (1024.0 * 1024 * 1024));
    }
}
