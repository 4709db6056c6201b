package dev.ember.cpu.speed;

import dev.ember.core.Tensor;
import dev.ember.core.random.Generator;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The vectorised f32 paths of where and the comparisons (whole-tensor and per-row, with a
 * broadcast scalar, lengths that leave a scalar tail, NaN) against a plain loop.
 */
class VectorPathTest {

    private final Generator gen = Generator.seeded(7);

    private static float[] withNaN(Tensor t) {
        float[] a = t.toFloatArray();
        a[Math.min(3, a.length - 1)] = Float.NaN;
        a[a.length - 1] = Float.NaN;
        return a;
    }

    @Test
    void comparisonsMatchLoop() {
        for (int[] shape : new int[][] {{37}, {5, 13}, {2, 3, 26, 26}, {8}, {3}}) {
            float[] a = withNaN(Tensor.randn(gen, shape)), b = Tensor.randn(gen, shape).toFloatArray();
            b[2] = a[2]; // an equal pair
            Tensor x = Tensor.of(a, shape), y = Tensor.of(b, shape);
            boolean[] gt = x.gt(y).toBooleanArray(), le = x.le(y).toBooleanArray(), eq = x.eq(y).toBooleanArray();
            boolean[] ne = x.ne(y).toBooleanArray(), gt0 = x.gt(0).toBooleanArray(), lt0 = Tensor.scalar(0).lt(x).toBooleanArray();
            for (int i = 0; i < a.length; i++) {
                assertEquals(a[i] > b[i], gt[i], "gt at " + i);
                assertEquals(a[i] <= b[i], le[i], "le at " + i);
                assertEquals(a[i] == b[i], eq[i], "eq at " + i);
                assertEquals(a[i] != b[i], ne[i], "ne at " + i);
                assertEquals(a[i] > 0, gt0[i], "gt 0 at " + i);
                assertEquals(0 < a[i], lt0[i], "0 < x at " + i);
            }
        }
    }

    @Test
    void broadcastRowComparison() {
        // [4, 19] against a row [19] and a column [4, 1]: the per-row path
        float[] a = Tensor.randn(gen, 4, 19).toFloatArray(), r = Tensor.randn(gen, 19).toFloatArray(), c = Tensor.randn(gen, 4, 1).toFloatArray();
        boolean[] vr = Tensor.of(a, 4, 19).ge(Tensor.of(r, 19)).toBooleanArray();
        boolean[] vc = Tensor.of(a, 4, 19).lt(Tensor.of(c, 4, 1)).toBooleanArray();
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 19; j++) {
                assertEquals(a[i * 19 + j] >= r[j], vr[i * 19 + j]);
                assertEquals(a[i * 19 + j] < c[i], vc[i * 19 + j]);
            }
        }
    }

    @Test
    void whereMatchesLoop() {
        for (int[] shape : new int[][] {{37}, {5, 13}, {2, 3, 26, 26}, {8}, {1}}) {
            float[] a = Tensor.randn(gen, shape).toFloatArray(), b = Tensor.randn(gen, shape).toFloatArray();
            float[] cf = Tensor.randn(gen, shape).toFloatArray();
            Tensor cond = Tensor.of(cf, shape).gt(0), x = Tensor.of(a, shape), y = Tensor.of(b, shape);
            float[] full = Tensor.where(cond, x, y).toFloatArray();
            float[] zeroElse = Tensor.where(cond, x, Tensor.scalar(0)).toFloatArray();
            float[] zeroThen = Tensor.where(cond, Tensor.scalar(-2), y).toFloatArray();
            float[] expectFull = new float[a.length], expectZero = new float[a.length], expectThen = new float[a.length];
            for (int i = 0; i < a.length; i++) {
                expectFull[i] = cf[i] > 0 ? a[i] : b[i];
                expectZero[i] = cf[i] > 0 ? a[i] : 0;
                expectThen[i] = cf[i] > 0 ? -2 : b[i];
            }
            assertArrayEquals(expectFull, full);
            assertArrayEquals(expectZero, zeroElse);
            assertArrayEquals(expectThen, zeroThen);
        }
    }

    @Test
    void whereOnTransposedAndBroadcastRows() {
        float[] a = Tensor.randn(gen, 6, 21).toFloatArray(), row = Tensor.randn(gen, 21).toFloatArray();
        Tensor x = Tensor.of(a, 6, 21);
        Tensor cond = x.gt(0.3);
        float[] got = Tensor.where(cond, x, Tensor.of(row, 21)).toFloatArray();
        for (int i = 0; i < 6; i++) {
            for (int j = 0; j < 21; j++) assertEquals(a[i * 21 + j] > 0.3f ? a[i * 21 + j] : row[j], got[i * 21 + j]);
        }
        // a transposed value input takes the strided fallback
        Tensor xt = Tensor.of(a, 21, 6).transpose(0, 1);
        float[] gotT = Tensor.where(xt.gt(0), xt, Tensor.scalar(1)).toFloatArray();
        for (int i = 0; i < 6; i++) {
            for (int j = 0; j < 21; j++) {
                float v = a[j * 6 + i];
                assertEquals(v > 0 ? v : 1f, gotT[i * 21 + j]);
            }
        }
    }
}
