package dev.ember.core.random;

/**
 * A seeded source of random tensors. Draws are counter-based ({@link CounterHash}): a draw of
 * n numbers takes counters [offset, offset + n), so results are bit-reproducible for a seed,
 * whatever the device or thread count, and the state is just (seed, offset).
 *
 * <pre>{@code
 * Generator g = Generator.seeded(42);
 * Tensor a = Tensor.randn(g, 2, 3);
 * }</pre>
 */
public final class Generator {

    private static final Generator GLOBAL = new Generator(0x5EED);

    private long seed;
    private long offset;

    private Generator(long seed) { this.seed = seed; }

    public static Generator seeded(long seed) { return new Generator(seed); }

    /** The process-wide generator, used where none is passed (for example by dropout). */
    public static Generator global() { return GLOBAL; }

    /** Reseeds the global generator, like {@code torch.manual_seed}. */
    public static void manualSeed(long seed) { GLOBAL.setState(new State(seed, 0)); }

    /** Reserves {@code count} counters and returns the first. */
    public synchronized long reserve(long count) {
        long o = offset;
        offset += count;
        return o;
    }

    public synchronized long seed() { return seed; }

    public synchronized State state() { return new State(seed, offset); }

    public synchronized void setState(State s) {
        this.seed = s.seed();
        this.offset = s.offset();
    }

    /** Everything needed to continue the same sequence (for checkpoints). */
    public record State(long seed, long offset) {}
}
