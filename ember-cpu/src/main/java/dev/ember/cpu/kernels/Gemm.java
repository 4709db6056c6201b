package dev.ember.cpu.kernels;

import dev.ember.core.DType;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The CPU GEMM entry point for f32 and f64: {@code C (+)= A B} with A and B of any strides and
 * C row-major. Offsets and strides are in elements. Convolution and the matmul kernels call it.
 */
final class Gemm {

    private Gemm() {}

    /**
     * @param accumulate add into C instead of overwriting it
     * @param parallel   whether this call may split itself over the CPU pool
     */
    static void gemm(DType d, int m, int n, int k,
                     MemorySegment a, long aOff, long aRs, long aCs,
                     MemorySegment b, long bOff, long bRs, long bCs,
                     MemorySegment c, long cOff, long ldc, boolean accumulate, boolean parallel) {
        switch (d) {
            case F32 -> GemmF32.gemm(m, n, k, a, aOff, aRs, aCs, b, bOff, bRs, bCs, c, cOff, ldc, accumulate, parallel);
            case F64 -> GemmF64.gemm(m, n, k, a, aOff, aRs, aCs, b, bOff, bRs, bCs, c, cOff, ldc, accumulate, parallel);
            default -> throw new IllegalArgumentException("gemm: no CPU kernel for " + d);
        }
    }

    /** Per-thread native scratch segments, grown on demand and kept, indexed by slot. */
    private static final ThreadLocal<MemorySegment[]> SCRATCH = ThreadLocal.withInitial(() -> new MemorySegment[2]);

    /**
     * The calling thread's scratch segment {@code slot} with room for {@code n} elements of
     * {@code d}; its contents are whatever the last user left. Native rather than heap memory, so
     * that the GEMM's segment accesses see one segment class and C2 keeps them intrinsified
     * (a heap segment at the same call sites sends the vector loads and stores to a slow path),
     * and reused, so that a convolution in steady state allocates nothing.
     */
    static MemorySegment scratch(int slot, DType d, long n) {
        if (d != DType.F32 && d != DType.F64) throw new IllegalArgumentException("gemm: no CPU buffer for " + d);
        long bytes = Math.max(64, n * d.byteSize());
        MemorySegment[] s = SCRATCH.get();
        if (s[slot] == null || s[slot].byteSize() < bytes) s[slot] = Arena.ofAuto().allocate(bytes, 64);
        return s[slot];
    }
}
