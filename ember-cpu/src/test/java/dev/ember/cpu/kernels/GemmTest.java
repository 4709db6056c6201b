package dev.ember.cpu.kernels;

import dev.ember.core.DType;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@link Gemm#gemm} against a naive double-precision loop: every operand layout (row-major,
 * transposed, both strides above one), overwrite and accumulate, serial and parallel, and shapes
 * at the edges of the blocking (k = 0 and 1, m or n below the register tile, k split into equal
 * passes, n across the L2 chunks of B slivers, m across the A blocks).
 */
class GemmTest {

    /** {m, n, k} */
    private static final int[][] SHAPES = {
            {1, 1, 1}, {3, 5, 0}, {4, 16, 1}, {5, 17, 2}, {3, 7, 9}, {2, 40, 33}, {37, 3, 50},
            {37, 45, 29}, {64, 64, 256}, {130, 300, 300}, {9, 530, 784}, {260, 33, 513}, {6, 1100, 70},
    };

    /** Row-major, transposed, and strided with both strides above one (a sliced view). */
    private enum Layout { ROWS, TRANSPOSED, STRIDED }

    private final Random rnd = new Random(11);

    @Test
    void everyLayoutShapeAndMode() {
        try (Arena arena = Arena.ofShared()) {
            for (DType d : new DType[] {DType.F32, DType.F64}) {
                for (int[] s : SHAPES) {
                    for (Layout la : Layout.values()) {
                        for (Layout lb : Layout.values()) {
                            boolean accumulate = rnd.nextBoolean(), parallel = rnd.nextBoolean();
                            check(arena, d, s[0], s[1], s[2], la, lb, accumulate, parallel);
                        }
                    }
                }
            }
        }
    }

    @Test
    void accumulateAndOverwriteOnLargeProduct() {
        try (Arena arena = Arena.ofShared()) {
            for (DType d : new DType[] {DType.F32, DType.F64}) {
                for (boolean accumulate : new boolean[] {false, true}) {
                    check(arena, d, 120, 700, 600, Layout.ROWS, Layout.ROWS, accumulate, true);
                    check(arena, d, 150, 260, 400, Layout.TRANSPOSED, Layout.TRANSPOSED, accumulate, false);
                }
            }
        }
    }

    /** An operand of logical shape rows x cols in the given layout, filled with uniform values. */
    private record Operand(MemorySegment seg, long off, long rs, long cs, double[] values) {}

    private Operand operand(Arena arena, DType d, int rows, int cols, Layout layout) {
        long rs, cs, off = 3, size;
        switch (layout) {
            case ROWS -> { rs = cols; cs = 1; }
            case TRANSPOSED -> { rs = 1; cs = rows; }
            default -> { cs = 2; rs = 2L * cols + 5; }
        }
        size = off + (rows - 1L) * rs + (cols - 1L) * cs + 1;
        MemorySegment seg = arena.allocate(Math.max(1, size) * d.byteSize(), 64);
        double[] v = new double[rows * cols];
        for (long i = 0; i < size; i++) put(seg, d, i, 1e9); // poison: any read outside the operand shows
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                double x = rnd.nextDouble() * 2 - 1;
                if (d == DType.F32) x = (float) x;
                v[i * cols + j] = x;
                put(seg, d, off + i * rs + j * cs, x);
            }
        }
        return new Operand(seg, off, rs, cs, v);
    }

    private void check(Arena arena, DType d, int m, int n, int k, Layout la, Layout lb, boolean accumulate, boolean parallel) {
        Operand a = operand(arena, d, m, k, la), b = operand(arena, d, k, n, lb);
        long ldc = n + 3, cOff = 2, cSize = cOff + m * ldc;
        MemorySegment c = arena.allocate(cSize * d.byteSize(), 64);
        double[] before = new double[(int) cSize];
        for (int i = 0; i < cSize; i++) {
            double x = rnd.nextDouble() * 2 - 1;
            if (d == DType.F32) x = (float) x;
            before[i] = x;
            put(c, d, i, x);
        }
        Gemm.gemm(d, m, n, k, a.seg, a.off, a.rs, a.cs, b.seg, b.off, b.rs, b.cs, c, cOff, ldc, accumulate, parallel);
        String what = d + " " + m + "x" + n + "x" + k + " A " + la + " B " + lb + (accumulate ? " accumulate" : "") + (parallel ? " parallel" : "");
        double tol = d == DType.F32 ? 2e-6 : 1e-14;
        for (int i = 0; i < cSize; i++) {
            long r = (i - cOff) / ldc, j = (i - cOff) % ldc;
            if (i < cOff || j >= n) {
                assertEquals(before[i], get(c, d, i), 0, what + ": wrote outside C at " + i);
                continue;
            }
            double exact = accumulate ? before[i] : 0, scale = Math.abs(exact);
            for (int p = 0; p < k; p++) {
                double t = a.values[(int) r * k + p] * b.values[p * n + (int) j];
                exact += t;
                scale += Math.abs(t);
            }
            double got = get(c, d, i);
            if (!(Math.abs(got - exact) <= tol * (k + 1) * (1 + scale))) {
                throw new AssertionError(what + ": C[" + r + ", " + j + "] = " + got + ", expected " + exact);
            }
        }
    }

    private static void put(MemorySegment s, DType d, long i, double v) {
        if (d == DType.F32) s.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) v);
        else s.setAtIndex(ValueLayout.JAVA_DOUBLE, i, v);
    }

    private static double get(MemorySegment s, DType d, long i) {
        return d == DType.F32 ? s.getAtIndex(ValueLayout.JAVA_FLOAT, i) : s.getAtIndex(ValueLayout.JAVA_DOUBLE, i);
    }
}
