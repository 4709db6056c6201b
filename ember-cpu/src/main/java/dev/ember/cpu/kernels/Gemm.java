package dev.ember.cpu.kernels;

import dev.ember.core.DType;

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
}
