package dev.ember.train.data;

import dev.ember.core.DType;
import dev.ember.core.Tensor;
import dev.ember.core.random.Generator;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DataLoaderTest {

    /** Example i has input row [i, 10 i] and target i, so batches reveal their indices. */
    static TensorDataset numbered(int n) {
        float[] x = new float[n * 2];
        long[] y = new long[n];
        for (int i = 0; i < n; i++) { x[2 * i] = i; x[2 * i + 1] = 10 * i; y[i] = i; }
        return new TensorDataset(Tensor.of(x, n, 2), Tensor.of(y, n));
    }

    static List<long[]> epoch(DataLoader loader, int epoch, int start) {
        List<long[]> out = new ArrayList<>();
        try (var it = loader.iterator(epoch, start)) {
            while (it.hasNext()) {
                Batch b = it.next();
                float[] x = b.input().toFloatArray();
                long[] y = b.target().toLongArray();
                for (int k = 0; k < y.length; k++) {
                    assertEquals(y[k], x[2 * k]);
                    assertEquals(10 * y[k], x[2 * k + 1]);
                }
                out.add(y);
            }
        }
        return out;
    }

    @Test
    void tensorDatasetGathersRowsOfAnyDtype() {
        Tensor img = Tensor.of(new byte[] {1, 2, 3, 4, 5, 6}, DType.U8, 3, 2);
        TensorDataset ds = new TensorDataset(img, Tensor.of(new long[] {7, 8, 9}, 3));
        Batch b = ds.get(new int[] {2, 0, 2});
        assertEquals(DType.U8, b.input().dtype());
        assertArrayEquals(new byte[] {5, 6, 1, 2, 5, 6}, b.input().toByteArray());
        assertArrayEquals(new long[] {9, 7, 9}, b.target().toLongArray());
        // a non-contiguous source is made contiguous once
        TensorDataset t = new TensorDataset(Tensor.of(new float[] {1, 2, 3, 4}, 2, 2).t(), Tensor.of(new long[] {0, 1}, 2));
        assertArrayEquals(new float[] {2, 4}, t.get(new int[] {1}).input().toFloatArray());
        IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, () -> ds.get(new int[] {0, 3}));
        assertTrue(e.getMessage().contains("index 3") && e.getMessage().contains("[0, 3)"), e.getMessage());
        IllegalArgumentException e2 = assertThrows(IllegalArgumentException.class,
                () -> new TensorDataset(Tensor.zeros(3, 2), Tensor.zeros(4)));
        assertTrue(e2.getMessage().contains("[3, 2]") && e2.getMessage().contains("[4]"), e2.getMessage());
    }

    @Test
    void everyIndexOncePerEpochSameSeedSameOrderEpochsDiffer() {
        DataLoader a = DataLoader.builder(numbered(103)).batchSize(10).shuffle(true).seed(7).build();
        DataLoader b = DataLoader.builder(numbered(103)).batchSize(10).shuffle(true).seed(7).prefetch(0).build();
        assertEquals(11, a.numBatches());
        List<long[]> e0 = epoch(a, 0, 0);
        assertEquals(11, e0.size());
        assertEquals(3, e0.get(10).length, "last partial batch kept without drop-last");
        long[] seen = e0.stream().flatMapToLong(Arrays::stream).sorted().toArray();
        long[] all = new long[103];
        for (int i = 0; i < 103; i++) all[i] = i;
        assertArrayEquals(all, seen);

        List<long[]> again = epoch(b, 0, 0);
        for (int k = 0; k < e0.size(); k++) assertArrayEquals(e0.get(k), again.get(k), "same seed, same order (batch " + k + ")");

        List<long[]> e1 = epoch(a, 1, 0);
        assertFalse(Arrays.equals(e0.get(0), e1.get(0)) && Arrays.equals(e0.get(1), e1.get(1)), "epochs 0 and 1 differ");
        assertArrayEquals(all, e1.stream().flatMapToLong(Arrays::stream).sorted().toArray());

        DataLoader other = DataLoader.builder(numbered(103)).batchSize(10).shuffle(true).seed(8).build();
        assertFalse(Arrays.equals(a.order(0), other.order(0)), "different seeds give different orders");
        // the order is not the identity and is a pure function of (seed, epoch)
        assertFalse(Arrays.equals(a.order(0), DataLoader.builder(numbered(103)).build().order(0)));
        assertArrayEquals(a.order(5), b.order(5));
    }

    @Test
    void plainIterationWalksConsecutiveEpochs() {
        DataLoader loader = DataLoader.builder(numbered(20)).batchSize(20).shuffle(true).seed(3).build();
        List<long[]> firsts = new ArrayList<>();
        for (int e = 0; e < 3; e++) for (Batch b : loader) firsts.add(b.target().toLongArray());
        assertEquals(3, firsts.size());
        for (int e = 0; e < 3; e++) assertArrayEquals(epoch(loader, e, 0).get(0), firsts.get(e));
        loader.setEpoch(1);
        assertEquals(1, loader.iterator().epoch());
        loader.close();
    }

    @Test
    void withoutShuffleBatchesAreInOrder() {
        DataLoader loader = DataLoader.builder(numbered(7)).batchSize(3).build();
        List<long[]> e = epoch(loader, 4, 0);
        assertArrayEquals(new long[] {0, 1, 2}, e.get(0));
        assertArrayEquals(new long[] {6}, e.get(2));
    }

    @Test
    void dropLast() {
        DataLoader loader = DataLoader.builder(numbered(103)).batchSize(10).shuffle(true).seed(1).dropLast(true).build();
        assertEquals(10, loader.numBatches());
        List<long[]> e = epoch(loader, 0, 0);
        assertEquals(10, e.size());
        for (long[] b : e) assertEquals(10, b.length);
        long distinct = e.stream().flatMapToLong(Arrays::stream).distinct().count();
        assertEquals(100, distinct);
        assertEquals(0, DataLoader.builder(numbered(5)).batchSize(10).dropLast(true).build().numBatches());
        assertEquals(100, loader.exampleCount());
        assertEquals(10, loader.batchesPerEpoch());
        BatchSource source = loader;
        var it = source.epoch(0, 9);
        assertArrayEquals(e.get(9), it.next().target().toLongArray());
        assertFalse(it.hasNext());
    }

    @Test
    void resumeAtBatchKGivesTheRemainingBatchesIdentically() {
        Transform noisy = (b, g) -> new Batch(b.input().add(Tensor.rand(g, b.input().shape())), b.target());
        DataLoader full = DataLoader.builder(numbered(57)).batchSize(8).shuffle(true).seed(11).transform(noisy).workers(3).prefetch(3).build();
        DataLoader resumed = DataLoader.builder(numbered(57)).batchSize(8).shuffle(true).seed(11).transform(noisy).prefetch(0).build();
        List<float[]> whole = new ArrayList<>();
        try (var it = full.iterator(2, 0)) { while (it.hasNext()) whole.add(it.next().input().toFloatArray()); }
        for (int k : new int[] {0, 3, 7, 8}) {
            List<float[]> rest = new ArrayList<>();
            try (var it = resumed.iterator(2, k)) {
                assertEquals(k, it.nextBatchIndex());
                while (it.hasNext()) rest.add(it.next().input().toFloatArray());
            }
            assertEquals(whole.size() - k, rest.size());
            for (int i = 0; i < rest.size(); i++) {
                assertArrayEquals(whole.get(k + i), rest.get(i), "batch " + (k + i) + " resumed at " + k);
            }
        }
        assertArrayEquals(full.batchIndices(2, 4), resumed.batchIndices(2, 4));
        IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class, () -> resumed.iterator(0, 9));
        assertTrue(e.getMessage().contains("batch 9"), e.getMessage());
    }

    @Test
    void workerExceptionIsRethrownWithCause() {
        IllegalStateException boom = new IllegalStateException("bad example 13");
        Dataset failing = new Dataset() {
            final TensorDataset inner = numbered(40);
            @Override public int size() { return inner.size(); }
            @Override public Batch get(int[] indices) {
                for (int i : indices) if (i == 13) throw boom;
                return inner.get(indices);
            }
        };
        for (int prefetch : new int[] {0, 2}) {
            DataLoader loader = DataLoader.builder(failing).batchSize(4).prefetch(prefetch).build();
            var it = loader.iterator(0, 0);
            for (int k = 0; k < 3; k++) it.next();
            DataLoaderException e = assertThrows(DataLoaderException.class, it::next);
            assertSame(boom, e.getCause());
            assertTrue(e.getMessage().contains("batch 3 of epoch 0"), e.getMessage());
            loader.close();
        }
    }

    @Test
    void prefetchIsBoundedAndRunsAheadOnAWorkerThread() throws Exception {
        AtomicInteger made = new AtomicInteger();
        CountDownLatch twoMade = new CountDownLatch(2);
        List<String> threads = java.util.Collections.synchronizedList(new ArrayList<>());
        TensorDataset inner = numbered(100);
        Dataset counting = new Dataset() {
            @Override public int size() { return inner.size(); }
            @Override public Batch get(int[] indices) {
                made.incrementAndGet();
                threads.add(Thread.currentThread().getName());
                twoMade.countDown();
                return inner.get(indices);
            }
        };
        DataLoader loader = DataLoader.builder(counting).batchSize(10).prefetch(2).build();
        var it = loader.iterator(0, 0);
        assertTrue(twoMade.await(5, TimeUnit.SECONDS), "two batches prepared before the first next()");
        Thread.sleep(100);
        assertEquals(2, made.get(), "no more than the prefetch depth is prepared ahead");
        it.next();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (made.get() < 3 && System.nanoTime() < deadline) Thread.sleep(5);
        Thread.sleep(100);
        assertEquals(3, made.get(), "taking one batch lets the worker prepare exactly one more");
        assertTrue(threads.stream().allMatch(n -> n.startsWith("ember-data-loader-")), threads.toString());
        it.close();
        assertFalse(it.hasNext());
        assertThrows(IllegalStateException.class, it::next);
        Thread.sleep(50);
        int afterClose = made.get();
        Thread.sleep(100);
        assertEquals(afterClose, made.get(), "nothing is made after close");
    }

    @Test
    void transformsRunInTheWorkerAndAreReproducible() {
        Transform t = Transform.compose(new RandomHorizontalFlip(0.5), new RandomCrop(4, 1));
        float[] px = new float[16 * 1 * 4 * 4];
        for (int i = 0; i < px.length; i++) px[i] = i;
        TensorDataset ds = new TensorDataset(Tensor.of(px, 16, 1, 4, 4), Tensor.arange(16));
        DataLoader one = DataLoader.builder(ds).batchSize(4).shuffle(true).seed(5).transform(t).workers(1).build();
        DataLoader four = DataLoader.builder(ds).batchSize(4).shuffle(true).seed(5).transform(t).workers(4).prefetch(4).build();
        List<float[]> a = new ArrayList<>(), b = new ArrayList<>();
        for (Batch x : one) a.add(x.input().toFloatArray());
        for (Batch x : four) b.add(x.input().toFloatArray());
        for (int k = 0; k < 4; k++) assertArrayEquals(a.get(k), b.get(k));
        // each batch is transformed with its own (seed, epoch, batch) generator
        for (int k = 0; k < 4; k++) {
            Batch direct = t.apply(ds.get(one.batchIndices(0, k)), one.transformGenerator(0, k));
            assertArrayEquals(direct.input().toFloatArray(), a.get(k), "batch " + k);
        }
        List<float[]> c = new ArrayList<>();
        for (Batch x : one) c.add(x.input().toFloatArray());
        boolean differs = false;
        for (int k = 0; k < 4; k++) differs |= !Arrays.equals(a.get(k), c.get(k));
        assertTrue(differs, "epoch 1 augments differently from epoch 0");
        assertNotEquals(one.transformGenerator(0, 1).seed(), one.transformGenerator(0, 2).seed());
        assertNotEquals(one.transformGenerator(0, 1).seed(), one.transformGenerator(1, 1).seed());
        Generator g = one.transformGenerator(3, 2);
        assertEquals(g.seed(), four.transformGenerator(3, 2).seed());
    }

    @Test
    void builderValidates() {
        TensorDataset ds = numbered(4);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> DataLoader.builder(ds).batchSize(0)).getMessage().contains("batch size 0"));
        assertThrows(IllegalArgumentException.class, () -> DataLoader.builder(ds).prefetch(-1));
        assertThrows(IllegalArgumentException.class, () -> DataLoader.builder(ds).workers(0));
    }
}
