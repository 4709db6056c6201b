package dev.ember.cpu.reductions;

import dev.ember.core.DType;
import dev.ember.core.Device;
import dev.ember.core.Shapes;
import dev.ember.core.Tensor;
import dev.ember.core.ops.ValuesIndices;
import dev.ember.core.random.Generator;
import org.junit.jupiter.api.Test;

import java.util.function.ToDoubleFunction;

import static dev.ember.core.testing.TensorAssert.assertClose;
import static dev.ember.core.testing.TensorAssert.assertShape;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReductionForwardTest {

    private static final int[][] AXES = {null, {0}, {1}, {2}, {-1}, {0, 2}, {-3, -2}, {1, 2}};

    private static Tensor randn(long seed, DType d, int... shape) {
        return Tensor.randn(Generator.seeded(seed), d, Device.CPU, shape);
    }

    /** Checks op(x, axes, keepDim) against the naive group reduction for every axes set, both keepDim, f32 and f64. */
    private static void againstNaive(String what, ReduceCall op, ToDoubleFunction<double[]> ref, double tol) {
        int[] shape = {3, 5, 17};
        for (DType d : new DType[] {DType.F32, DType.F64}) {
            Tensor x = randn(7, d, shape);
            double[] data = x.toDoubleArray();
            for (int[] axes : AXES) {
                int[] norm = Shapes.axes(what, axes, 3);
                double[] expected = Naive.reduce(data, shape, norm, ref);
                for (boolean keep : new boolean[] {false, true}) {
                    Tensor r = op.apply(x, axes, keep);
                    assertShape(r, Shapes.reduced(shape, norm, keep));
                    assertEquals(d, r.dtype());
                    assertClose(expected, r, tol);
                }
            }
        }
    }

    @FunctionalInterface
    interface ReduceCall {
        Tensor apply(Tensor x, int[] axes, boolean keepDim);
    }

    @Test
    void amaxAminMatchNaiveOnAllAxisSets() {
        againstNaive("amax", (x, a, k) -> x.amax(a, k), Naive::max, 0);
        againstNaive("amin", (x, a, k) -> x.amin(a, k), Naive::min, 0);
    }

    @Test
    void varStdMatchNaive() {
        againstNaive("var", (x, a, k) -> x.var(a, 1, k), v -> Naive.var(v, 1), 1e-5);
        againstNaive("var", (x, a, k) -> x.var(a, 0, k), v -> Naive.var(v, 0), 1e-5);
        againstNaive("std", (x, a, k) -> x.std(a, 1, k), v -> Math.sqrt(Naive.var(v, 1)), 1e-5);
    }

    @Test
    void logsumexpMatchesNaive() {
        againstNaive("logsumexp", (x, a, k) -> x.logsumexp(a, k), Naive::logsumexp, 1e-5);
    }

    @Test
    void normsMatchNaive() {
        for (double p : new double[] {1, 2, 3, 0.5, Double.POSITIVE_INFINITY}) {
            againstNaive("norm", (x, a, k) -> x.norm(p, a, k), v -> Naive.norm(v, p), 1e-5);
        }
        assertClose(new double[] {5}, Tensor.of(new float[] {3, -4}).norm(), 1e-6);
    }

    @Test
    void handValues() {
        Tensor x = Tensor.of(new float[] {1, 5, 3, 7, -2, 7}, 2, 3);
        assertClose(new double[] {5, 7}, x.amax(new int[] {1}, false), 0);
        assertClose(new double[] {1, -2}, x.amin(new int[] {-1}, false), 0);
        assertClose(new double[] {7}, x.max(), 0);
        assertClose(new double[] {4, 27}, x.var(new int[] {1}, 1, false), 1e-6);
        ValuesIndices m = x.max(1, false);
        assertClose(new double[] {5, 7}, m.values(), 0);
        assertArrayEquals(new long[] {1, 0}, m.indices().toLongArray()); // ties: the first occurrence
        assertArrayEquals(new long[] {1, 0, 1}, x.argmax(0, false).toLongArray());
        assertArrayEquals(new long[] {0, 1}, x.argmin(1, false).toLongArray());
        assertClose(new double[] {Math.log(Math.exp(1) + Math.exp(5) + Math.exp(3))}, x.narrow(0, 0, 1).logsumexp(null, false), 1e-6);
    }

    @Test
    void maxMinArgAlongEachAxisMatchNaive() {
        int[] shape = {4, 6, 9};
        for (DType d : new DType[] {DType.F32, DType.F64}) {
            // rounded values so ties happen and first-occurrence is exercised
            double[] data = randn(3, DType.F64, shape).mul(2).toDoubleArray();
            for (int i = 0; i < data.length; i++) data[i] = Math.rint(data[i]);
            Tensor x = Tensor.of(data, shape).to(d);
            for (int dim = -3; dim < 3; dim++) {
                int ax = dim < 0 ? dim + 3 : dim;
                double[] vmax = Naive.reduce(data, shape, new int[] {ax}, Naive::max);
                double[] imax = Naive.reduce(data, shape, new int[] {ax}, v -> Naive.argExtreme(v, true));
                double[] imin = Naive.reduce(data, shape, new int[] {ax}, v -> Naive.argExtreme(v, false));
                double[] vmin = Naive.reduce(data, shape, new int[] {ax}, Naive::min);
                for (boolean keep : new boolean[] {false, true}) {
                    ValuesIndices mx = x.max(dim, keep), mn = x.min(dim, keep);
                    int[] rs = Shapes.reduced(shape, new int[] {ax}, keep);
                    assertShape(mx.values(), rs);
                    assertShape(mx.indices(), rs);
                    assertEquals(DType.I64, mx.indices().dtype());
                    assertClose(vmax, mx.values(), 0);
                    assertClose(imax, mx.indices(), 0);
                    assertClose(vmin, mn.values(), 0);
                    assertClose(imin, mn.indices(), 0);
                    assertClose(imax, x.argmax(dim, keep), 0);
                    assertClose(imin, x.argmin(dim, keep), 0);
                }
            }
        }
    }

    @Test
    void nonContiguousInputs() {
        Tensor base = randn(11, DType.F32, 6, 8);
        Tensor t = base.transpose(0, 1);            // [8, 6], strided
        Tensor s = base.slice(1, 1, 8, 2);          // [6, 4], stepped
        for (Tensor x : new Tensor[] {t, s}) {
            Tensor c = x.copy();
            assertTrue(!x.isContiguous());
            for (int[] axes : new int[][] {{0}, {1}, null}) {
                assertClose(c.amax(axes, true), x.amax(axes, true), 0);
                assertClose(c.var(axes, 1, false), x.var(axes, 1, false), 1e-6);
                assertClose(c.logsumexp(axes, false), x.logsumexp(axes, false), 1e-6);
                assertClose(c.norm(3, axes, false), x.norm(3, axes, false), 1e-6);
            }
            assertClose(c.argmax(0, false), x.argmax(0, false), 0);
            assertClose(c.max(1, true).values(), x.max(1, true).values(), 0);
        }
    }

    @Test
    void largeRowsUseTheVectorPathsCorrectly() {
        // rows long enough for the SIMD loops plus a remainder, and a wide inner dimension
        Tensor x = randn(5, DType.F32, 3, 1031, 37);
        double[] data = x.toDoubleArray();
        int[] shape = x.shape();
        for (int[] axes : new int[][] {{2}, {1}, {0, 2}, {1, 2}}) {
            assertClose(Naive.reduce(data, shape, axes, Naive::max), x.amax(axes, false), 0);
            assertClose(Naive.reduce(data, shape, axes, Naive::min), x.amin(axes, false), 0);
        }
    }

    @Test
    void integerExtremes() {
        Tensor x = Tensor.of(new long[] {3, -9, Long.MAX_VALUE, 4, Long.MAX_VALUE - 1, -1}, 2, 3);
        assertArrayEquals(new long[] {Long.MAX_VALUE, Long.MAX_VALUE - 1}, x.amax(new int[] {1}, false).toLongArray());
        assertArrayEquals(new long[] {3, -9, -1}, x.amin(new int[] {0}, false).toLongArray());
        assertArrayEquals(new long[] {2, 1}, x.argmax(1, false).toLongArray());
        assertEquals(DType.I64, x.amax(null, false).dtype());
        Tensor i = Tensor.of(new int[] {5, 2, 8, 1}, 2, 2);
        assertArrayEquals(new int[] {8, 2}, i.max(0, false).values().toIntArray());
        assertArrayEquals(new long[] {1, 0}, i.max(0, false).indices().toLongArray());
        assertClose(new double[] {Math.log(Math.exp(5) + Math.exp(2) + Math.exp(8) + Math.exp(1))}, i.logsumexp(null, false), 1e-5);
    }

    @Test
    void nanPropagatesAndIsTheExtreme() {
        Tensor x = Tensor.of(new float[] {1, Float.NaN, 3, Float.NaN, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, 20);
        assertTrue(Double.isNaN(x.amax(null, false).item()));
        assertTrue(Double.isNaN(x.amin(null, false).item()));
        ValuesIndices m = x.max(0, false);
        assertTrue(Double.isNaN(m.values().item()));
        assertEquals(1, m.indices().item());
        assertEquals(1, x.argmin(0, false).item());
    }

    @Test
    void logsumexpIsStableAndHandlesInfinities() {
        Tensor big = Tensor.of(new float[] {1000, 1000, -1e30f, Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY}, 2, 3);
        double[] r = big.logsumexp(new int[] {1}, false).toDoubleArray();
        assertEquals(1000 + Math.log(2), r[0], 1e-3);
        assertEquals(Double.NEGATIVE_INFINITY, r[1]);
        Tensor inf = Tensor.of(new float[] {Float.POSITIVE_INFINITY, 1});
        assertEquals(Double.POSITIVE_INFINITY, inf.logsumexp(null, false).item());
        assertEquals(Double.NEGATIVE_INFINITY, Tensor.zeros(0, 3).logsumexp(new int[] {0}, false).toDoubleArray()[0]);
    }

    @Test
    void emptyAndScalarCases() {
        Tensor e = Tensor.zeros(0, 4);
        assertShape(e.amax(new int[] {1}, false), 0);
        assertShape(e.argmax(1, true), 0, 1);
        assertShape(e.softmax(0), 0, 4);
        assertClose(new double[] {0, 0, 0, 0}, e.norm(2, new int[] {0}, false), 0);
        Tensor s = Tensor.scalar(2.5);
        assertClose(new double[] {2.5}, s.amax(null, false), 0);
        assertClose(new double[] {2.5}, s.max(0, false).values(), 0);
        assertEquals(0, s.argmax(-1, false).item());
        assertShape(s.argmax(0, false));
        assertClose(new double[] {1}, s.softmax(0), 0);
        assertClose(new double[] {0}, s.logSoftmax(-1), 0);
        assertClose(new double[] {2.5}, s.logsumexp(new int[] {0}, false), 1e-6);
        assertTrue(Double.isNaN(Tensor.of(new float[] {1}).var(null, 1, false).item())
                || Double.isInfinite(Tensor.of(new float[] {1}).var(null, 1, false).item()));
    }

    @Test
    void halfPrecisionGoesThroughF32() {
        Tensor x = randn(2, DType.F32, 4, 5);
        Tensor h = x.to(DType.BF16);
        Tensor hx = h.to(DType.F32);
        assertEquals(DType.BF16, h.amax(new int[] {1}, false).dtype());
        assertClose(hx.amax(new int[] {1}, false), h.amax(new int[] {1}, false).to(DType.F32), 0);
        assertClose(hx.softmax(1), h.softmax(1).to(DType.F32), 1e-2);
        assertArrayEquals(hx.argmax(0, false).toLongArray(), h.argmax(0, false).toLongArray());
    }

    @Test
    void badArgumentsNameTheOpAndShape() {
        Tensor x = Tensor.zeros(2, 3);
        assertMessage(() -> x.amax(new int[] {2}, false), "amax", "dimension 2");
        assertMessage(() -> x.argmax(-3, false), "argmax", "-3");
        assertMessage(() -> x.max(5, false), "max", "5");
        assertMessage(() -> x.var(new int[] {1, -1}, 1, false), "var", "twice");
        assertMessage(() -> x.softmax(2), "softmax", "2");
        assertMessage(() -> x.logSoftmax(-3), "log_softmax", "-3");
        assertMessage(() -> x.norm(0, null, false), "norm", "0.0");
        assertMessage(() -> x.norm(-1, null, false), "norm", "-1.0");
        assertMessage(() -> Tensor.zeros(0, 3).amax(new int[] {0}, false), "amax", "[0, 3]");
        assertMessage(() -> Tensor.zeros(0, 3).argmin(0, false), "argmin", "[0, 3]");
        assertMessage(() -> Tensor.zeros(0, 3).norm(Double.POSITIVE_INFINITY, new int[] {0}, false), "norm", "[0, 3]");
        assertMessage(() -> Tensor.arange(4).var(null, 1, false), "var", "i64");
        assertMessage(() -> Tensor.arange(4).softmax(0), "softmax", "i64");
        assertMessage(() -> Tensor.arange(4).norm(), "norm", "i64");
    }

    static void assertMessage(Runnable r, String... parts) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
        for (String p : parts) assertTrue(e.getMessage().contains(p), () -> "message '" + e.getMessage() + "' lacks '" + p + "'");
    }
}
