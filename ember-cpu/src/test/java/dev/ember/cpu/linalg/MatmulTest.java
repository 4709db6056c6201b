package dev.ember.cpu.linalg;

import dev.ember.core.DType;
import dev.ember.core.Device;
import dev.ember.core.Tensor;
import dev.ember.core.ops.LinalgOps;
import dev.ember.core.random.Generator;
import dev.ember.core.testing.GradCheck;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MatmulTest {

    private static int seed = 1;

    static Tensor randn(DType d, int... shape) { return Tensor.randn(Generator.seeded(seed++), d, Device.CPU, shape); }

    /** torch.matmul semantics written out with index loops in double, over any strides (via getDouble-free arrays). */
    static double[] naiveMatmul(Tensor a, Tensor b, int[] outShape) {
        int[] as = a.shape(), bs = b.shape();
        boolean rowA = as.length == 1, colB = bs.length == 1;
        int[] a2 = rowA ? new int[] {1, as[0]} : as;
        int[] b2 = colB ? new int[] {bs[0], 1} : bs;
        double[] av = a.toDoubleArray(), bv = b.toDoubleArray();
        int m = a2[a2.length - 2], k = a2[a2.length - 1], n = b2[b2.length - 1];
        int nb = Math.max(a2.length, b2.length) - 2;
        int[] batch = new int[nb];
        for (int i = 0; i < nb; i++) {
            int da = i - (nb - (a2.length - 2)) >= 0 ? a2[i - (nb - (a2.length - 2))] : 1;
            int db = i - (nb - (b2.length - 2)) >= 0 ? b2[i - (nb - (b2.length - 2))] : 1;
            batch[i] = da == 1 ? db : da;
        }
        long total = 1;
        for (int v : batch) total *= v;
        double[] out = new double[(int) (total * m * n)];
        int[] idx = new int[nb];
        for (long t = 0; t < total; t++) {
            long rem = t;
            for (int i = nb - 1; i >= 0; i--) { idx[i] = (int) (rem % batch[i]); rem /= batch[i]; }
            long aBase = flatBatch(a2, idx, nb) * m * k, bBase = flatBatch(b2, idx, nb) * k * n;
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double s = 0;
                    for (int p = 0; p < k; p++) s += av[(int) (aBase + (long) i * k + p)] * bv[(int) (bBase + (long) p * n + j)];
                    out[(int) (t * m * n + (long) i * n + j)] = s;
                }
            }
        }
        long expect = 1;
        for (int v : outShape) expect *= v;
        assertEquals(expect, out.length, "naive result size vs shape " + Arrays.toString(outShape));
        return out;
    }

    private static long flatBatch(int[] shape, int[] idx, int nb) {
        int tb = shape.length - 2, lead = nb - tb;
        long f = 0;
        for (int i = 0; i < tb; i++) f = f * shape[i] + (shape[i] == 1 ? 0 : idx[i + lead]);
        return f;
    }

    static void assertClose(double[] expected, Tensor actual, double tol) {
        double[] got = actual.toDoubleArray();
        assertEquals(expected.length, got.length, "element count");
        for (int i = 0; i < got.length; i++) {
            double e = expected[i];
            if (!(Math.abs(e - got[i]) <= tol * (1 + Math.abs(e)))) {
                throw new AssertionError("mismatch at " + i + ": expected " + e + " got " + got[i] + " (shape " + Arrays.toString(actual.shape()) + ")");
            }
        }
    }

    private static void check(Tensor a, Tensor b, int... expectShape) {
        Tensor y = a.matmul(b);
        assertArrayEquals(expectShape, y.shape(), "shape of " + Arrays.toString(a.shape()) + " @ " + Arrays.toString(b.shape()));
        assertClose(naiveMatmul(a, b, expectShape), y, a.dtype() == DType.F32 ? 1e-4 : 1e-10);
    }

    @Test
    void squareAndOddSizesAcrossBlockBoundaries() {
        int[] sizes = {1, 2, 3, 5, 7, 8, 13, 17, 31, 33, 63, 65, 100, 129, 130};
        for (DType d : new DType[] {DType.F32, DType.F64}) {
            for (int m : sizes) {
                int n = sizes[(m * 7) % sizes.length], k = sizes[(m * 3 + 1) % sizes.length];
                check(randn(d, m, k), randn(d, k, n), m, n);
            }
        }
    }

    @Test
    void everySizeUpTo130AlongEachDimension() {
        for (int s = 1; s <= 130; s += 1) {
            check(randn(DType.F32, s, 9), randn(DType.F32, 9, 11), s, 11);
            check(randn(DType.F32, 7, 9), randn(DType.F32, 9, s), 7, s);
            check(randn(DType.F64, 5, s), randn(DType.F64, s, 6), 5, 6);
        }
    }

    @Test
    void largeSizesCrossKcMcNcBlocks() {
        check(randn(DType.F32, 257, 300), randn(DType.F32, 300, 257), 257, 257);
        check(randn(DType.F64, 150, 513), randn(DType.F64, 513, 70), 150, 70);
        check(randn(DType.F32, 3, 600), randn(DType.F32, 600, 4200), 3, 4200);
    }

    @Test
    void oneDimensionalOperands() {
        for (DType d : new DType[] {DType.F32, DType.F64}) {
            check(randn(d, 7), randn(d, 7));
            check(randn(d, 7), randn(d, 7, 5), 5);
            check(randn(d, 5, 7), randn(d, 7), 5);
            check(randn(d, 7), randn(d, 3, 7, 4), 3, 4);
            check(randn(d, 2, 3, 5, 7), randn(d, 7), 2, 3, 5);
        }
        Tensor dot = Tensor.of(new float[] {1, 2, 3}).matmul(Tensor.of(new float[] {4, 5, 6}));
        assertEquals(0, dot.dim());
        assertEquals(32.0, dot.item(), 0);
    }

    @Test
    void handValues() {
        Tensor a = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor b = Tensor.of(new float[] {7, 8, 9, 10, 11, 12}, 3, 2);
        assertArrayEquals(new float[] {58, 64, 139, 154}, a.matmul(b).toFloatArray());
    }

    @Test
    void batchedBroadcast() {
        for (DType d : new DType[] {DType.F32, DType.F64}) {
            check(randn(d, 4, 3, 5), randn(d, 4, 5, 6), 4, 3, 6);
            check(randn(d, 4, 3, 5), randn(d, 5, 6), 4, 3, 6);
            check(randn(d, 3, 5), randn(d, 4, 5, 6), 4, 3, 6);
            check(randn(d, 2, 1, 3, 5), randn(d, 4, 5, 6), 2, 4, 3, 6);
            check(randn(d, 1, 4, 3, 5), randn(d, 2, 1, 5, 6), 2, 4, 3, 6);
            check(randn(d, 40, 17, 33), randn(d, 40, 33, 19), 40, 17, 19);
            check(randn(d, 0, 3, 5), randn(d, 5, 6), 0, 3, 6);
        }
    }

    @Test
    void transposedAndSlicedOperands() {
        for (DType d : new DType[] {DType.F32, DType.F64}) {
            check(randn(d, 37, 45).t(), randn(d, 37, 29), 45, 29);
            check(randn(d, 45, 37), randn(d, 29, 37).t(), 45, 29);
            check(randn(d, 37, 45).t(), randn(d, 29, 37).t(), 45, 29);
            check(randn(d, 40, 60).slice(1, 1, 60, 3), randn(d, 40, 20).slice(0, 0, 40, 2), 40, 20);
            check(randn(d, 3, 10, 8).transpose(0, 1), randn(d, 8, 6), 10, 3, 6);
            check(randn(d, 3, 8, 10).transpose(1, 2), randn(d, 3, 6, 8).transpose(1, 2), 3, 10, 6);
            check(randn(d, 5, 1).expand(5, 9), randn(d, 9, 4), 5, 4);
        }
    }

    @Test
    void zeroSizedDimensions() {
        Tensor y = randn(DType.F32, 3, 0).matmul(randn(DType.F32, 0, 4));
        assertArrayEquals(new int[] {3, 4}, y.shape());
        assertArrayEquals(new float[12], y.toFloatArray());
        assertArrayEquals(new int[] {0, 4}, randn(DType.F32, 0, 5).matmul(randn(DType.F32, 5, 4)).shape());
    }

    @Test
    void linearMatchesMatmulPlusBias() {
        for (DType d : new DType[] {DType.F32, DType.F64}) {
            Tensor x = randn(d, 2, 7, 33), w = randn(d, 19, 33), b = randn(d, 19);
            Tensor y = LinalgOps.linear(x, w, b);
            assertArrayEquals(new int[] {2, 7, 19}, y.shape());
            double[] expect = naiveMatmul(x, w.t(), new int[] {2, 7, 19});
            double[] bv = b.toDoubleArray();
            for (int i = 0; i < expect.length; i++) expect[i] += bv[i % 19];
            assertClose(expect, y, d == DType.F32 ? 1e-4 : 1e-10);
            assertClose(naiveMatmul(x, w.t(), new int[] {2, 7, 19}), LinalgOps.linear(x, w, null), d == DType.F32 ? 1e-4 : 1e-10);
            assertArrayEquals(new int[] {19}, LinalgOps.linear(randn(d, 33), w, b).shape());
        }
    }

    @Test
    void gradients() {
        DType d = DType.F64;
        GradCheck.check(in -> in[0].matmul(in[1]), randn(d, 3, 4).requiresGrad(true), randn(d, 4, 5).requiresGrad(true));
        GradCheck.check(in -> in[0].matmul(in[1]), randn(d, 4).requiresGrad(true), randn(d, 4).requiresGrad(true));
        GradCheck.check(in -> in[0].matmul(in[1]), randn(d, 4).requiresGrad(true), randn(d, 2, 4, 3).requiresGrad(true));
        GradCheck.check(in -> in[0].matmul(in[1]), randn(d, 2, 3, 4).requiresGrad(true), randn(d, 4).requiresGrad(true));
        GradCheck.check(in -> in[0].matmul(in[1]), randn(d, 2, 3, 4).requiresGrad(true), randn(d, 4, 5).requiresGrad(true));
        GradCheck.check(in -> in[0].matmul(in[1]), randn(d, 3, 4).requiresGrad(true), randn(d, 2, 2, 4, 5).requiresGrad(true));
        GradCheck.check(in -> in[0].matmul(in[1]), randn(d, 2, 1, 3, 4).requiresGrad(true), randn(d, 3, 4, 2).requiresGrad(true));
        GradCheck.check(in -> in[0].transpose(0, 1).matmul(in[1].transpose(1, 2)),
                randn(d, 4, 3).requiresGrad(true), randn(d, 2, 5, 4).requiresGrad(true));
        GradCheck.check(in -> LinalgOps.linear(in[0], in[1], in[2]),
                randn(d, 2, 3, 4).requiresGrad(true), randn(d, 5, 4).requiresGrad(true), randn(d, 5).requiresGrad(true));
        GradCheck.check(in -> LinalgOps.linear(in[0].transpose(0, 1), in[1], null),
                randn(d, 4, 3).requiresGrad(true), randn(d, 5, 4).requiresGrad(true));
    }

    @Test
    void shapeErrorsNameOpAndShapes() {
        var e = assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(2, 3).matmul(Tensor.zeros(4, 5)));
        assertTrue(e.getMessage().contains("matmul") && e.getMessage().contains("[2, 3]") && e.getMessage().contains("[4, 5]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(2, 3, 4).matmul(Tensor.zeros(5, 4, 2)));
        assertTrue(e.getMessage().contains("[2, 3, 4]") && e.getMessage().contains("[5, 4, 2]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Tensor.zeros(3).matmul(Tensor.zeros(4)));
        assertTrue(e.getMessage().contains("matmul") && e.getMessage().contains("[3]") && e.getMessage().contains("[4]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> LinalgOps.linear(Tensor.zeros(2, 3), Tensor.zeros(4, 5), null));
        assertTrue(e.getMessage().contains("linear") && e.getMessage().contains("[2, 3]") && e.getMessage().contains("[4, 5]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> LinalgOps.linear(Tensor.zeros(2, 5), Tensor.zeros(4, 5), Tensor.zeros(3)));
        assertTrue(e.getMessage().contains("linear") && e.getMessage().contains("[3]") && e.getMessage().contains("[4, 5]"), e.getMessage());
    }
}
