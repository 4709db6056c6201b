package dev.ember.train.data;

import dev.ember.core.random.CounterHash;
import dev.ember.core.random.Generator;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Batches from a {@link Dataset}, optionally shuffled and transformed, prepared ahead of time on
 * background worker threads so the next batch is ready when a training step ends.
 *
 * <p><b>Determinism.</b> The order of epoch {@code e} is a pure function of {@code (seed, e)}
 * (a Fisher-Yates shuffle driven by {@link CounterHash}), and batch {@code k} of epoch
 * {@code e} gets its own transform generator derived from {@code (seed, e, k)}. So a run
 * resumed with {@link #iterator(int, int) iterator(e, k)} sees exactly the batches, bit for
 * bit, that the uninterrupted run would have seen, whatever the number of workers.
 *
 * <p><b>Prefetch.</b> With {@code prefetch = d > 0}, at most {@code d} batches are being made
 * or waiting at any time (a bounded queue), computed by {@code workers} threads and handed
 * out in order. With {@code prefetch = 0} batches are made on the caller's thread. An exception
 * in a worker is rethrown by {@link Iterator#next()} as a {@link DataLoaderException} whose
 * cause is the original exception.
 *
 * <pre>{@code
 * DataLoader loader = DataLoader.builder(train).batchSize(64).shuffle(true).seed(42)
 *         .dropLast(true).transform(new RandomHorizontalFlip(0.5)).build();
 * for (int epoch = 0; epoch < 10; epoch++) {
 *     try (var it = loader.iterator(epoch, 0)) {
 *         while (it.hasNext()) step(it.next());
 *     }
 * }
 * }</pre>
 */
public final class DataLoader implements Iterable<Batch>, BatchSource, AutoCloseable {

    /** Separates the transform stream from the shuffle stream of the same seed. */
    private static final long TRANSFORM_SALT = 0x7F4A7C159E3779B9L;
    private static final AtomicInteger THREAD_IDS = new AtomicInteger();

    private final Dataset dataset;
    private final int batchSize;
    private final boolean shuffle;
    private final long seed;
    private final boolean dropLast;
    private final int prefetch;
    private final int workers;
    private final Transform transform;

    private int nextEpoch;
    private EpochIterator active;

    private DataLoader(Builder b) {
        this.dataset = b.dataset;
        this.batchSize = b.batchSize;
        this.shuffle = b.shuffle;
        this.seed = b.seed;
        this.dropLast = b.dropLast;
        this.prefetch = b.prefetch;
        this.workers = b.workers;
        this.transform = b.transform;
    }

    /** Starts configuring a loader over {@code dataset} (batch size 1, no shuffle, prefetch 2, one worker). */
    public static Builder builder(Dataset dataset) {
        if (dataset == null) throw new IllegalArgumentException("DataLoader: dataset is null");
        return new Builder(dataset);
    }

    public Dataset dataset() { return dataset; }
    public int batchSize() { return batchSize; }
    public boolean shuffle() { return shuffle; }
    public long seed() { return seed; }
    public boolean dropLast() { return dropLast; }
    public int prefetch() { return prefetch; }
    public int workers() { return workers; }

    /** Batches per epoch: {@code floor(n / batchSize)} with drop-last, else {@code ceil(n / batchSize)}. */
    public int numBatches() {
        int n = dataset.size();
        return dropLast ? n / batchSize : (n + batchSize - 1) / batchSize;
    }

    /**
     * The order in which epoch {@code epoch} visits the examples: a permutation of
     * {@code 0..n-1} depending only on (seed, epoch), or the identity without shuffling.
     */
    public int[] order(int epoch) {
        int n = dataset.size();
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        if (!shuffle) return p;
        long key = CounterHash.bits(seed, epoch);
        for (int i = n - 1; i > 0; i--) {
            // a 64-bit draw reduced mod (i + 1) <= 2^31 has a bias below 2^-32: negligible
            int j = (int) CounterHash.integer(key, i, 0, i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    /** The dataset indices of batch {@code batch} of epoch {@code epoch}. */
    public int[] batchIndices(int epoch, int batch) {
        checkBatch(batch, numBatches() - 1);
        return slice(order(epoch), batch);
    }

    /** The generator that transforms of batch {@code batch} of epoch {@code epoch} draw from. */
    public Generator transformGenerator(int epoch, int batch) {
        return Generator.seeded(CounterHash.bits(CounterHash.bits(seed ^ TRANSFORM_SALT, epoch), batch));
    }

    /**
     * Iterates epoch {@code epoch} from batch {@code startBatch} (0 for a whole epoch, k to
     * resume after k finished batches). Starting an iterator closes the previous one of this
     * loader, so at most one epoch is prefetching at a time.
     */
    public synchronized EpochIterator iterator(int epoch, int startBatch) {
        if (epoch < 0) throw new IllegalArgumentException("DataLoader.iterator: epoch " + epoch + " is negative");
        checkBatch(startBatch, numBatches());
        if (active != null) active.close();
        active = new EpochIterator(epoch, startBatch);
        nextEpoch = epoch + 1;
        return active;
    }

    @Override
    public int batchesPerEpoch() { return numBatches(); }

    /** Same as {@link #iterator(int, int)}, for the {@code Trainer}. */
    @Override
    public Iterator<Batch> epoch(int epoch, int startBatch) { return iterator(epoch, startBatch); }

    /** Examples served per epoch: all of them, or {@code numBatches() * batchSize} with drop-last. */
    @Override
    public int exampleCount() { return dropLast ? numBatches() * batchSize : dataset.size(); }

    /** Iterates the next epoch (0 first, then 1, ...; see {@link #setEpoch}). */
    @Override
    public synchronized EpochIterator iterator() { return iterator(nextEpoch, 0); }

    /** The epoch that the next plain {@link #iterator()} call starts. */
    public synchronized void setEpoch(int epoch) {
        if (epoch < 0) throw new IllegalArgumentException("DataLoader.setEpoch: epoch " + epoch + " is negative");
        nextEpoch = epoch;
    }

    /** Stops any prefetching and its worker threads. The loader can still start new iterators. */
    @Override
    public synchronized void close() {
        if (active != null) active.close();
        active = null;
    }

    private void checkBatch(int batch, int max) {
        if (batch < 0 || batch > max) {
            throw new IndexOutOfBoundsException("DataLoader: batch " + batch + " is outside [0, " + max + "] for "
                    + numBatches() + " batches of " + batchSize + " from " + dataset.size() + " examples");
        }
    }

    private int[] slice(int[] order, int batch) {
        int from = batch * batchSize;
        int to = Math.min(order.length, from + batchSize);
        int[] idx = new int[to - from];
        System.arraycopy(order, from, idx, 0, idx.length);
        return idx;
    }

    private Batch make(int epoch, int[] order, int batch) {
        Batch b = dataset.get(slice(order, batch));
        return transform == null ? b : transform.apply(b, transformGenerator(epoch, batch));
    }

    /** One epoch's batches in order; close it to stop prefetching early. */
    public final class EpochIterator implements Iterator<Batch>, AutoCloseable {

        private final int epoch;
        private final int[] order;
        private final int end;
        private int next;        // index of the batch next() returns
        private int submitted;   // index of the next batch to hand to the workers
        private final ArrayDeque<Future<Batch>> pending = new ArrayDeque<>();
        private final ThreadPoolExecutor pool;
        private boolean closed;

        private EpochIterator(int epoch, int startBatch) {
            this.epoch = epoch;
            this.order = order(epoch);
            this.end = numBatches();
            this.next = startBatch;
            this.submitted = startBatch;
            if (prefetch > 0 && startBatch < end) {
                ThreadFactory tf = r -> {
                    Thread t = new Thread(r, "ember-data-loader-" + THREAD_IDS.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                };
                // idle workers exit, so an iterator abandoned without close() leaves no threads behind
                pool = new ThreadPoolExecutor(workers, workers, 1, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), tf);
                pool.allowCoreThreadTimeOut(true);
                refill();
            } else {
                pool = null;
            }
        }

        /** The epoch this iterator walks. */
        public int epoch() { return epoch; }

        /** The index of the batch the next call to {@link #next()} returns. */
        public int nextBatchIndex() { return next; }

        @Override
        public boolean hasNext() { return !closed && next < end; }

        @Override
        public Batch next() {
            if (closed) throw new IllegalStateException("DataLoader: iterator of epoch " + epoch + " is closed");
            if (next >= end) throw new NoSuchElementException("DataLoader: epoch " + epoch + " has " + end + " batches");
            int k = next++;
            if (pool == null) {
                try {
                    return make(epoch, order, k);
                } catch (RuntimeException | Error e) {
                    throw failure(k, e);
                }
            }
            Future<Batch> f = pending.poll();
            refill();
            try {
                Batch b = f.get();
                if (next >= end) shutdown();
                return b;
            } catch (ExecutionException e) {
                close();
                throw failure(k, e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                close();
                throw new DataLoaderException("DataLoader: interrupted while waiting for batch " + k + " of epoch " + epoch, e);
            } catch (CancellationException e) {
                throw new DataLoaderException("DataLoader: batch " + k + " of epoch " + epoch + " was cancelled", e);
            }
        }

        private DataLoaderException failure(int k, Throwable cause) {
            return new DataLoaderException("DataLoader: making batch " + k + " of epoch " + epoch + " failed: " + cause, cause);
        }

        private void refill() {
            while (submitted < end && pending.size() < prefetch) {
                int k = submitted++;
                pending.add(pool.submit(() -> make(epoch, order, k)));
            }
        }

        private void shutdown() {
            if (pool != null) pool.shutdownNow();
        }

        /** Cancels prefetched batches and stops the workers; later calls to hasNext() return false. */
        @Override
        public void close() {
            if (closed) return;
            closed = true;
            for (Future<Batch> f : pending) f.cancel(true);
            pending.clear();
            shutdown();
        }
    }

    /** Loader settings. */
    public static final class Builder {
        private final Dataset dataset;
        private int batchSize = 1;
        private boolean shuffle;
        private long seed;
        private boolean dropLast;
        private int prefetch = 2;
        private int workers = 1;
        private Transform transform;

        private Builder(Dataset dataset) { this.dataset = dataset; }

        public Builder batchSize(int v) {
            if (v <= 0) throw new IllegalArgumentException("DataLoader: batch size " + v + " must be positive");
            batchSize = v;
            return this;
        }

        public Builder shuffle(boolean v) { shuffle = v; return this; }

        /** Seeds the shuffle and the transform generators. */
        public Builder seed(long v) { seed = v; return this; }

        /** Drops the last, smaller batch so every batch has exactly {@code batchSize} examples. */
        public Builder dropLast(boolean v) { dropLast = v; return this; }

        /** How many batches may be prepared ahead (0: none, batches are made on the caller's thread). */
        public Builder prefetch(int v) {
            if (v < 0) throw new IllegalArgumentException("DataLoader: prefetch depth " + v + " must be >= 0");
            prefetch = v;
            return this;
        }

        /** Worker threads making batches when prefetching; more than {@code prefetch} never run at once. */
        public Builder workers(int v) {
            if (v <= 0) throw new IllegalArgumentException("DataLoader: workers " + v + " must be positive");
            workers = v;
            return this;
        }

        /** Applied to each batch on the worker thread, with the batch's own generator. */
        public Builder transform(Transform v) { transform = v; return this; }

        public DataLoader build() { return new DataLoader(this); }
    }
}
