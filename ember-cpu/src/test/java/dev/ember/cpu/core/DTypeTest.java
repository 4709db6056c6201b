package dev.ember.cpu.core;

import dev.ember.core.DType;
import dev.ember.core.Tensor;
import org.junit.jupiter.api.Test;

import static dev.ember.core.testing.TensorAssert.assertClose;
import static org.junit.jupiter.api.Assertions.*;

class DTypeTest {

    @Test
    void everyDtypeConvertsToEveryOther() {
        double[] values = {0, 1, 2, 3, 100, 7};
        for (DType from : DType.values()) {
            Tensor src = Tensor.of(from == DType.BOOL ? new double[] {0, 1, 1, 1, 1, 1} : values, 6).to(from);
            for (DType to : DType.values()) {
                Tensor dst = src.to(to);
                assertEquals(to, dst.dtype());
                double[] expect = src.toDoubleArray();
                if (to == DType.BOOL) for (int i = 0; i < expect.length; i++) expect[i] = expect[i] != 0 ? 1 : 0;
                assertClose(expect, dst, 0);
            }
        }
    }

    /**
     * Large contiguous casts go through a blocked path; the same values cast through a
     * transposed (strided) view take the element-wise path. Both must agree bit for bit, for
     * every pair of dtypes, across several blocks and from a tensor that starts at an offset.
     */
    @Test
    void blockedContiguousCastMatchesElementwisePath() {
        int rows = 90, cols = 113;
        double[] values = new double[1 + rows * cols];
        for (int i = 0; i < values.length; i++) values[i] = ((i * 37) % 301 - 150) * 0.731 + (i % 7 == 0 ? 1e-3 : 0);
        Tensor base = Tensor.of(values, values.length);
        for (DType from : DType.values()) {
            Tensor src = base.to(from).narrow(0, 1, rows * cols).reshape(rows, cols);
            Tensor strided = src.t().contiguous().t();  // same values, column-major
            assertFalse(strided.isContiguous());
            for (DType to : DType.values()) {
                double[] blocked = src.to(to).to(DType.F64).toDoubleArray();
                double[] elementwise = strided.to(to).contiguous().to(DType.F64).toDoubleArray();
                assertArrayEquals(elementwise, blocked, 0, from + " -> " + to);
            }
        }
    }

    @Test
    void floatToIntegerTruncatesTowardZero() {
        Tensor t = Tensor.of(new float[] {2.7f, -2.7f, 0.5f, -0.5f}, 4);
        assertArrayEquals(new long[] {2, -2, 0, 0}, t.to(DType.I64).toLongArray());
        assertArrayEquals(new int[] {2, -2, 0, 0}, t.to(DType.I32).toIntArray());
    }

    @Test
    void f16RoundsAsIeeeHalf() {
        // 1 + 2^-11 lies exactly between 1 and the next half (1 + 2^-10): ties go to even (1)
        // 1 + 3 * 2^-11 lies between 1 + 2^-10 and 1 + 2^-9: ties go to even (1 + 2^-9)
        // 65520 is past the largest half (65504) by half a step: rounds to infinity
        Tensor t = Tensor.of(new double[] {1 + Math.pow(2, -11), 1 + 3 * Math.pow(2, -11), 65520, 65504, 6e-8, -0.0}, 6).to(DType.F16);
        double[] r = t.toDoubleArray();
        assertEquals(1.0, r[0]);
        assertEquals(1 + Math.pow(2, -9), r[1]);
        assertEquals(Double.POSITIVE_INFINITY, r[2]);
        assertEquals(65504.0, r[3]);
        assertEquals(Math.pow(2, -24), r[4]); // smallest subnormal half
        assertEquals(2, t.toByteArray().length / 6);
    }

    @Test
    void bf16RoundsToNearestEven() {
        // bf16 keeps 8 significand bits: 1 + 2^-8 is a tie between 1 and 1 + 2^-7 -> 1 (even)
        // 1 + 3 * 2^-8 is a tie between 1 + 2^-7 and 1 + 2^-6 -> 1 + 2^-6 (even)
        // 1 + 2^-8 + 2^-12 is above the tie -> 1 + 2^-7
        Tensor t = Tensor.of(new double[] {1 + Math.pow(2, -8), 1 + 3 * Math.pow(2, -8), 1 + Math.pow(2, -8) + Math.pow(2, -12), 3e38, Double.NaN}, 5)
                .to(DType.BF16);
        double[] r = t.toDoubleArray();
        assertEquals(1.0, r[0]);
        assertEquals(1 + Math.pow(2, -6), r[1]);
        assertEquals(1 + Math.pow(2, -7), r[2]);
        assertEquals(226 * Math.pow(2, 120), r[3]); // 3e38 / 2^120 = 225.7: the nearest bf16 is 226 * 2^120
        assertTrue(Double.isNaN(r[4]));
    }

    @Test
    void promotion() {
        assertEquals(DType.F32, DType.promote(DType.I64, DType.F32));
        assertEquals(DType.F64, DType.promote(DType.F32, DType.F64));
        assertEquals(DType.F32, DType.promote(DType.F16, DType.BF16));
        assertEquals(DType.I64, DType.promote(DType.I32, DType.I64));
        assertEquals(DType.U8, DType.promote(DType.BOOL, DType.U8));
        assertEquals(DType.F16, Tensor.ones(2).to(DType.F16).add(0.5).dtype());
        assertEquals(DType.F64, Tensor.ones(2).add(Tensor.ones(2).to(DType.F64)).dtype());
    }

    @Test
    void integerWrapAroundMatchesJava() {
        Tensor u = Tensor.of(new double[] {255, 256, -1}, 3).to(DType.I64).to(DType.U8);
        assertArrayEquals(new long[] {255, 0, 255}, u.to(DType.I64).toLongArray());
        Tensor i8 = Tensor.of(new long[] {127, 128}, 2).to(DType.I8);
        assertArrayEquals(new long[] {127, -128}, i8.to(DType.I64).toLongArray());
    }
}
