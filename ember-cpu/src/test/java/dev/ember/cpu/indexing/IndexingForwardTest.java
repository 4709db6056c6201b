package dev.ember.cpu.indexing;

import dev.ember.core.DType;
import dev.ember.core.Device;
import dev.ember.core.Tensor;
import dev.ember.core.ops.IndexingOps;
import dev.ember.core.ops.PadMode;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static dev.ember.core.testing.TensorAssert.assertClose;
import static dev.ember.core.testing.TensorAssert.assertShape;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Forward values of the indexing ops against hand values and plain reference loops. */
class IndexingForwardTest {

    private final Random rnd = new Random(7);

    // ---------------------------------------------------------------- gather / scatter_add

    @Test
    void gatherHandValues() {
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor idx = Tensor.of(new long[] {2, 0, 1, 1}, 2, 2);
        assertClose(new double[] {3, 1, 5, 5}, IndexingOps.gather(x, 1, idx), 0);
        Tensor idx0 = Tensor.of(new int[] {1, 0, 1}, 1, 3);  // i32 is accepted
        assertClose(new double[] {4, 2, 6}, IndexingOps.gather(x, 0, idx0), 0);
    }

    @Test
    void gatherMatchesReferenceForEveryDimAndDtype() {
        int[] xs = {3, 4, 5};
        double[] data = Nd.randoms(rnd, Nd.numel(xs));
        for (int dim = 0; dim < 3; dim++) {
            int[] is = {2, 3, 4};
            is[dim] = 6;  // larger than x along dim, smaller elsewhere
            long[] idx = Nd.indices(rnd, Nd.numel(is), xs[dim]);
            double[] expected = new double[idx.length];
            for (int p = 0; p < idx.length; p++) {
                int[] c = Nd.coords(p, is);
                c[dim] = (int) idx[p];
                expected[p] = data[Nd.flat(c, xs)];
            }
            for (DType d : new DType[] {DType.F32, DType.F64, DType.I32, DType.I64, DType.F16}) {
                Tensor x = Tensor.of(data, xs).to(d);
                Tensor out = IndexingOps.gather(x, dim - 3, Tensor.of(idx, is));
                assertEquals(d, out.dtype());
                assertShape(out, is);
                assertClose(d.isFloating() ? roundTo(expected, d) : truncate(expected), out, 0);
            }
        }
    }

    @Test
    void gatherOnNonContiguousInput() {
        Tensor base = Tensor.of(new double[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor xt = base.transpose(0, 1);  // [[1, 4], [2, 5], [3, 6]]
        Tensor idx = Tensor.of(new long[] {1, 0, 0, 1, 1, 1}, 3, 2);
        assertClose(new double[] {4, 1, 2, 5, 6, 6}, IndexingOps.gather(xt, 1, idx), 0);
    }

    @Test
    void scatterAddMatchesReference() {
        int[] xs = {4, 3, 5};
        double[] xd = Nd.randoms(rnd, Nd.numel(xs));
        for (int dim = 0; dim < 3; dim++) {
            int[] is = {3, 2, 4};
            is[dim] = 7;  // repeats: several sources land on one target
            int[] ss = {4, 3, 5};
            ss[dim] = 8;  // src larger than index: only the covered part is used
            long[] idx = Nd.indices(rnd, Nd.numel(is), xs[dim]);
            double[] sd = Nd.randoms(rnd, Nd.numel(ss));
            double[] expected = xd.clone();
            for (int p = 0; p < idx.length; p++) {
                int[] c = Nd.coords(p, is);
                double v = sd[Nd.flat(c, ss)];
                c[dim] = (int) idx[p];
                expected[Nd.flat(c, xs)] += v;
            }
            for (DType d : new DType[] {DType.F64, DType.F32}) {
                Tensor out = IndexingOps.scatterAdd(Tensor.of(xd, xs).to(d), dim, Tensor.of(idx, is), Tensor.of(sd, ss).to(d));
                assertShape(out, xs);
                assertClose(expected, out, d == DType.F64 ? 1e-12 : 1e-5);
            }
        }
    }

    @Test
    void scatterAddCountsIntegers() {
        Tensor labels = Tensor.of(new long[] {0, 2, 2, 1, 2}, 1, 5);
        Tensor counts = IndexingOps.scatterAdd(Tensor.zeros(DType.I64, Device.CPU, 1, 3), 1, labels, Tensor.ones(DType.I64, Device.CPU, 1, 5));
        assertArrayEquals(new long[] {1, 1, 3}, counts.toLongArray());
    }

    // ---------------------------------------------------------------- index_select / index_add / embedding

    @Test
    void indexSelectMatchesReference() {
        int[] xs = {3, 4, 5};
        double[] data = Nd.randoms(rnd, Nd.numel(xs));
        for (int dim = 0; dim < 3; dim++) {
            long[] idx = Nd.indices(rnd, 7, xs[dim]);
            int[] os = xs.clone();
            os[dim] = idx.length;
            double[] expected = new double[Nd.numel(os)];
            for (int p = 0; p < expected.length; p++) {
                int[] c = Nd.coords(p, os);
                c[dim] = (int) idx[c[dim]];
                expected[p] = data[Nd.flat(c, xs)];
            }
            for (DType d : new DType[] {DType.F32, DType.F64, DType.I64, DType.BF16}) {
                Tensor out = IndexingOps.indexSelect(Tensor.of(data, xs).to(d), dim, Tensor.of(idx, idx.length));
                assertShape(out, os);
                assertClose(d.isFloating() ? roundTo(expected, d) : truncate(expected), out, 0);
            }
        }
    }

    @Test
    void indexSelectLongRowsAndStridedInput() {
        // rows long enough for the bulk-copy path, from a transposed (non-contiguous) input
        double[] data = Nd.randoms(rnd, 40 * 30);
        Tensor x = Tensor.of(data, 40, 30).transpose(0, 1);  // [30, 40]
        long[] idx = {29, 0, 5, 5};
        Tensor out = IndexingOps.indexSelect(x, 0, Tensor.of(idx, 4));
        double[] expected = new double[4 * 40];
        for (int j = 0; j < 4; j++) for (int k = 0; k < 40; k++) expected[j * 40 + k] = data[k * 30 + (int) idx[j]];
        assertClose(expected, out, 0);
    }

    @Test
    void indexAddAccumulatesRepeats() {
        Tensor x = Tensor.of(new double[] {1, 1, 1, 1, 1, 1}, 3, 2);
        Tensor src = Tensor.of(new double[] {1, 2, 3, 4, 5, 6}, 3, 2);
        Tensor out = IndexingOps.indexAdd(x, 0, Tensor.of(new long[] {2, 0, 2}, 3), src);
        assertClose(new double[] {4, 5, 1, 1, 7, 9}, out, 0);
        Tensor outCols = IndexingOps.indexAdd(Tensor.zeros(DType.I32, Device.CPU, 2, 2), 1, Tensor.of(new long[] {1, 1, 0}, 3),
                Tensor.of(new int[] {1, 2, 3, 4, 5, 6}, 2, 3));
        assertArrayEquals(new int[] {3, 3, 6, 9}, outCols.toIntArray());
    }

    @Test
    void embeddingPicksRows() {
        Tensor w = Tensor.of(new float[] {0, 1, 10, 11, 20, 21}, 3, 2);
        Tensor e = IndexingOps.embedding(w, Tensor.of(new long[] {2, 0, 2, 1}, 2, 2));
        assertShape(e, 2, 2, 2);
        assertClose(new double[] {20, 21, 0, 1, 20, 21, 10, 11}, e, 0);
        assertShape(IndexingOps.embedding(w, Tensor.of(new long[] {1}, new int[0])), 2);
    }

    // ---------------------------------------------------------------- cat / stack / split / chunk

    @Test
    void catMatchesReference() {
        Tensor a = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor b = Tensor.of(new float[] {7, 8}, 2, 1);
        assertClose(new double[] {1, 2, 3, 7, 4, 5, 6, 8}, IndexingOps.cat(new Tensor[] {a, b}, 1), 0);
        Tensor c = Tensor.of(new float[] {9, 9, 9}, 1, 3);
        assertClose(new double[] {1, 2, 3, 4, 5, 6, 9, 9, 9}, IndexingOps.cat(new Tensor[] {a, c}, 0), 0);
        // non-contiguous input, a size-0 part, mixed dtypes promoted, a legacy empty 1-d tensor skipped
        Tensor at = a.transpose(0, 1);  // [[1, 4], [2, 5], [3, 6]]
        Tensor empty = Tensor.zeros(3, 0);
        Tensor ints = Tensor.of(new long[] {7, 8, 9}, 3, 1);
        Tensor out = IndexingOps.cat(new Tensor[] {at, empty, ints, Tensor.zeros(0)}, -1);
        assertEquals(DType.F32, out.dtype());
        assertClose(new double[] {1, 4, 7, 2, 5, 8, 3, 6, 9}, out, 0);
    }

    @Test
    void catAllDtypesAndLargeBlocks() {
        for (DType d : new DType[] {DType.F64, DType.I32, DType.BOOL, DType.F16, DType.U8}) {
            double[] p = {1, 0, 1, 1, 0, 1};
            double[] q = {0, 1, 1, 0};
            Tensor out = IndexingOps.cat(new Tensor[] {Tensor.of(p, 2, 3).to(d), Tensor.of(q, 2, 2).to(d)}, 1);
            assertEquals(d, out.dtype());
            assertClose(new double[] {1, 0, 1, 0, 1, 1, 0, 1, 1, 0}, out, 0);
        }
        double[] big = Nd.randoms(rnd, 64 * 500);
        Tensor x = Tensor.of(big, 64, 500);
        Tensor[] parts = IndexingOps.split(x, new int[] {100, 1, 399}, 1);
        assertClose(x, IndexingOps.cat(parts, 1), 0);
    }

    @Test
    void stackSplitChunk() {
        Tensor a = Tensor.of(new float[] {1, 2, 3}, 3), b = Tensor.of(new float[] {4, 5, 6}, 3);
        Tensor s0 = IndexingOps.stack(new Tensor[] {a, b}, 0);
        assertShape(s0, 2, 3);
        assertClose(new double[] {1, 2, 3, 4, 5, 6}, s0, 0);
        Tensor s1 = IndexingOps.stack(new Tensor[] {a, b}, -1);
        assertShape(s1, 3, 2);
        assertClose(new double[] {1, 4, 2, 5, 3, 6}, s1, 0);

        Tensor x = Tensor.arange(0, 10, 1, DType.F32, Device.CPU).reshape(5, 2);
        Tensor[] parts = IndexingOps.split(x, 2, 0);
        assertEquals(3, parts.length);
        assertShape(parts[2], 1, 2);
        assertClose(new double[] {8, 9}, parts[2], 0);
        Tensor[] bySize = IndexingOps.split(x, new int[] {1, 0, 4}, 0);
        assertShape(bySize[1], 0, 2);
        assertClose(new double[] {2, 3, 4, 5, 6, 7, 8, 9}, bySize[2], 0);
        Tensor[] chunks = IndexingOps.chunk(x, 3, 0);  // sizes 2, 2, 1
        assertEquals(3, chunks.length);
        assertClose(new double[] {4, 5, 6, 7}, chunks[1], 0);
        assertEquals(2, IndexingOps.chunk(Tensor.zeros(4, 3), 3, 0).length, "ceil(4 / 3) = 2 per chunk gives 2 chunks, as PyTorch");
        Tensor[] cols = IndexingOps.chunk(x, 2, 1);
        assertClose(new double[] {1, 3, 5, 7, 9}, cols[1], 0);
    }

    // ---------------------------------------------------------------- pad

    @Test
    void padHandValues() {
        Tensor x = Tensor.of(new float[] {1, 2, 3}, 1, 3);
        assertClose(new double[] {0, 0, 1, 2, 3, 0}, IndexingOps.pad(x, new int[] {2, 1}, PadMode.CONSTANT, 0), 0);
        assertClose(new double[] {3, 2, 1, 2, 3, 2}, IndexingOps.pad(x, new int[] {2, 1}, PadMode.REFLECT, 0), 0);
        assertClose(new double[] {1, 1, 1, 2, 3, 3}, IndexingOps.pad(x, new int[] {2, 1}, PadMode.REPLICATE, 0), 0);
        assertClose(new double[] {2, 3, 7, 7}, IndexingOps.pad(x, new int[] {-1, 2}, PadMode.CONSTANT, 7), 0);
        Tensor sq = Tensor.of(new float[] {1, 2, 3, 4}, 2, 2);
        Tensor r = IndexingOps.pad(sq, new int[] {1, 1, 1, 1}, PadMode.REFLECT, 0);
        assertShape(r, 4, 4);
        assertClose(new double[] {4, 3, 4, 3, 2, 1, 2, 1, 4, 3, 4, 3, 2, 1, 2, 1}, r, 0);
    }

    @Test
    void padMatchesReference() {
        int[] xs = {2, 3, 4, 5};
        double[] data = Nd.randoms(rnd, Nd.numel(xs));
        int[][] padSets = {{1, 2}, {0, 3, 2, 1}, {3, 1, 1, 2, 1, 0}, {2, 2, 0, 0, 1, 1}};
        for (int[] pads : padSets) {
            for (PadMode mode : PadMode.values()) {
                double[] expected = referencePad(data, xs, pads, mode, -1.5);
                for (DType d : new DType[] {DType.F64, DType.F32, DType.I64}) {
                    Tensor out = IndexingOps.pad(Tensor.of(data, xs).to(d), pads, mode, -1.5);
                    double[] e = d.isFloating() ? expected : truncate(expected);
                    assertClose(e, out, d == DType.F32 ? 1e-6 : 0);
                }
            }
        }
        // a non-contiguous input
        Tensor t = Tensor.of(data, xs).transpose(1, 3);  // [2, 5, 4, 3]
        double[] td = t.contiguous().toDoubleArray();
        int[] ts = t.shape();
        assertClose(referencePad(td, ts, new int[] {2, 1, 1, 3}, PadMode.REFLECT, 0), IndexingOps.pad(t, new int[] {2, 1, 1, 3}, PadMode.REFLECT, 0), 0);
    }

    private static double[] referencePad(double[] x, int[] xs, int[] pads, PadMode mode, double value) {
        int rank = xs.length;
        int[] os = xs.clone();
        for (int k = 0; k < pads.length / 2; k++) os[rank - 1 - k] += pads[2 * k] + pads[2 * k + 1];
        double[] out = new double[Nd.numel(os)];
        for (int p = 0; p < out.length; p++) {
            int[] c = Nd.coords(p, os);
            boolean outside = false;
            for (int k = 0; k < pads.length / 2; k++) {
                int d = rank - 1 - k, n = xs[d];
                int i = c[d] - pads[2 * k];
                if (i < 0 || i >= n) {
                    outside = true;
                    i = mode == PadMode.REFLECT ? (i < 0 ? -i : 2 * (n - 1) - i) : Math.max(0, Math.min(n - 1, i));
                }
                c[d] = i;
            }
            out[p] = outside && mode == PadMode.CONSTANT ? value : x[Nd.flat(c, xs)];
        }
        return out;
    }

    // ---------------------------------------------------------------- one_hot

    @Test
    void oneHot() {
        Tensor oh = IndexingOps.oneHot(Tensor.of(new long[] {0, 2, 1, 2}, 2, 2), 3);
        assertEquals(DType.I64, oh.dtype());
        assertShape(oh, 2, 2, 3);
        assertArrayEquals(new long[] {1, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 1}, oh.toLongArray());
        assertShape(IndexingOps.oneHot(Tensor.of(new int[] {4, 1}, 2), -1), 2, 5);
    }

    // ---------------------------------------------------------------- size zero

    @Test
    void sizeZeroShapes() {
        Tensor x = Tensor.zeros(0, 3);
        assertShape(IndexingOps.gather(x, 0, Tensor.zeros(DType.I64, Device.CPU, 0, 2)), 0, 2);
        assertShape(IndexingOps.indexSelect(Tensor.zeros(2, 3), 1, Tensor.zeros(DType.I64, Device.CPU, 0)), 2, 0);
        assertShape(IndexingOps.scatterAdd(Tensor.zeros(2, 3), 0, Tensor.zeros(DType.I64, Device.CPU, 0, 3), Tensor.zeros(0, 3)), 2, 3);
        assertShape(IndexingOps.pad(x, new int[] {1, 1}, PadMode.CONSTANT, 0), 0, 5);
        assertShape(IndexingOps.cat(new Tensor[] {x, x}, 0), 0, 3);
        assertShape(IndexingOps.oneHot(Tensor.zeros(DType.I64, Device.CPU, 0), 4), 0, 4);
        assertEquals(1, IndexingOps.split(x, 2, 0).length);
    }

    // ---------------------------------------------------------------- errors

    @Test
    void outOfRangeIndicesNameOpValueAndSize() {
        Tensor x = Tensor.zeros(2, 3);
        assertMessage(() -> IndexingOps.gather(x, 1, Tensor.of(new long[] {0, 3}, 1, 2)), "gather", "index 3", "dimension 1", "size 3");
        assertMessage(() -> IndexingOps.gather(x, 0, Tensor.of(new long[] {-1}, 1, 1)), "gather", "index -1", "size 2");
        assertMessage(() -> IndexingOps.scatterAdd(x, 0, Tensor.of(new long[] {5}, 1, 1), Tensor.ones(1, 1)), "scatter_add", "index 5", "size 2");
        assertMessage(() -> IndexingOps.indexSelect(x, 1, Tensor.of(new long[] {1, 7}, 2)), "index_select", "index 7", "dimension 1", "size 3");
        assertMessage(() -> IndexingOps.indexAdd(x, 0, Tensor.of(new long[] {2}, 1), Tensor.ones(1, 3)), "index_add", "index 2", "size 2");
        assertMessage(() -> IndexingOps.embedding(x, Tensor.of(new long[] {4}, 1)), "embedding", "index 4", "size 2", "[2, 3]");
        assertMessage(() -> IndexingOps.oneHot(Tensor.of(new long[] {3}, 1), 3), "one_hot", "index 3", "3 classes");
    }

    @Test
    void badShapesNameOpAndShapes() {
        Tensor x = Tensor.zeros(2, 3);
        assertMessage(() -> IndexingOps.gather(x, 0, Tensor.zeros(DType.I64, Device.CPU, 1, 4)), "gather", "[1, 4]", "[2, 3]", "dimension 1");
        assertMessage(() -> IndexingOps.gather(x, 0, Tensor.zeros(DType.I64, Device.CPU, 2)), "gather", "[2]", "[2, 3]");
        assertMessage(() -> IndexingOps.gather(x, 0, Tensor.zeros(2, 3)), "gather", "integer", "f32");
        assertMessage(() -> IndexingOps.scatterAdd(x, 0, Tensor.zeros(DType.I64, Device.CPU, 2, 3), Tensor.zeros(1, 3)), "scatter_add", "[2, 3]", "[1, 3]");
        assertMessage(() -> IndexingOps.indexSelect(x, 0, Tensor.zeros(DType.I64, Device.CPU, 1, 1)), "index_select", "1-d", "[1, 1]");
        assertMessage(() -> IndexingOps.indexAdd(x, 0, Tensor.zeros(DType.I64, Device.CPU, 2), Tensor.zeros(2, 4)), "index_add", "[2, 4]", "[2, 3]");
        assertMessage(() -> IndexingOps.cat(new Tensor[] {x, Tensor.zeros(2, 4)}, 0), "cat", "[2, 4]", "[2, 3]", "dimension 0");
        assertMessage(() -> IndexingOps.cat(new Tensor[] {x, Tensor.zeros(2, 3, 1)}, 0), "cat", "[2, 3, 1]", "[2, 3]");
        assertMessage(() -> IndexingOps.cat(new Tensor[0], 0), "cat", "at least one");
        assertMessage(() -> IndexingOps.stack(new Tensor[] {x, Tensor.zeros(3, 2)}, 0), "stack", "[3, 2]", "[2, 3]");
        assertMessage(() -> IndexingOps.split(x, new int[] {1, 1, 2}, 1), "split", "[1, 1, 2]", "4", "[2, 3]");
        assertMessage(() -> IndexingOps.split(x, 0, 1), "split", "positive");
        assertMessage(() -> IndexingOps.chunk(x, 0, 1), "chunk", "positive");
        assertMessage(() -> IndexingOps.gather(x, 2, Tensor.zeros(DType.I64, Device.CPU, 2, 3)), "gather", "dimension 2", "rank 2");
        assertMessage(() -> IndexingOps.pad(x, new int[] {3, 0}, PadMode.REFLECT, 0), "pad", "reflect", "size 3", "[2, 3]");
        assertMessage(() -> IndexingOps.pad(x, new int[] {1}, PadMode.CONSTANT, 0), "pad", "even");
        assertMessage(() -> IndexingOps.pad(x, new int[] {1, 1, 1, 1, 1, 1}, PadMode.CONSTANT, 0), "pad", "[2, 3]");
        assertMessage(() -> IndexingOps.pad(x, new int[] {-2, -2}, PadMode.CONSTANT, 0), "pad", "negative", "[2, 3]");
        assertMessage(() -> IndexingOps.pad(x, new int[] {-1, 0}, PadMode.REPLICATE, 0), "pad", "non-negative", "[2, 3]");
        assertMessage(() -> IndexingOps.embedding(Tensor.zeros(3), Tensor.of(new long[] {0}, 1)), "embedding", "2-d", "[3]");
    }

    static void assertMessage(Runnable r, String... parts) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, r::run);
        for (String p : parts) assertTrue(e.getMessage().contains(p), () -> "message '" + e.getMessage() + "' lacks '" + p + "'");
    }

    private static double[] roundTo(double[] v, DType d) {
        return Tensor.of(v, v.length).to(d).toDoubleArray();
    }

    private static double[] truncate(double[] v) {
        double[] r = new double[v.length];
        for (int i = 0; i < v.length; i++) r[i] = (long) v[i];
        return r;
    }
}
