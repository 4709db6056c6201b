package dev.ember.core.random;

/**
 * The random-number formula every backend uses, so the same seed gives the same bits on any
 * device and any number of threads: element {@code i} of a draw at counter {@code offset} is
 * a pure function of {@code (seed, offset + i)} (SplitMix64's finaliser over a Weyl sequence).
 */
public final class CounterHash {

    private CounterHash() {}

    public static long bits(long seed, long counter) {
        long z = seed + (counter + 1) * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Uniform in [0, 1) with 24 random bits (exact in f32). */
    public static float uniformFloat(long seed, long counter) {
        return (bits(seed, counter) >>> 40) * 0x1.0p-24f;
    }

    /** Uniform in [0, 1) with 53 random bits. */
    public static double uniformDouble(long seed, long counter) {
        return (bits(seed, counter) >>> 11) * 0x1.0p-53;
    }

    /** Standard normal by Box-Muller on the two 32-bit halves of one draw. */
    public static double normal(long seed, long counter) {
        long b = bits(seed, counter);
        double u1 = ((b >>> 32) + 1.0) * 0x1.0p-32; // (0, 1]
        double u2 = (b & 0xFFFFFFFFL) * 0x1.0p-32;  // [0, 1)
        return Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2.0 * Math.PI * u2);
    }

    /** Uniform integer in [low, high). */
    public static long integer(long seed, long counter, long low, long high) {
        return low + Long.remainderUnsigned(bits(seed, counter), high - low);
    }
}
