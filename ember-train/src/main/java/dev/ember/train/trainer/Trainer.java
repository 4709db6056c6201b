package dev.ember.train.trainer;

import dev.ember.core.Device;
import dev.ember.core.Tensor;
import dev.ember.core.autograd.GradMode;
import dev.ember.core.memory.MemoryScope;
import dev.ember.core.random.Generator;
import dev.ember.nn.Module;
import dev.ember.nn.io.SafeTensors;
import dev.ember.train.data.Batch;
import dev.ember.train.data.BatchSource;
import dev.ember.train.optim.GradClip;
import dev.ember.train.optim.Optimizer;
import dev.ember.train.schedule.LrScheduler;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Fits a model: the training loop with validation, metrics, callbacks, checkpoints and exact
 * resume. A run that is stopped (even killed) and resumed from its latest checkpoint reaches the
 * same weights, bit for bit on the CPU, as a run that never stopped.
 *
 * <pre>{@code
 * Trainer t = Trainer.builder()
 *         .model(model).optimizer(new Adam(model.parameters(), 1e-3))
 *         .loss((out, b) -> F.crossEntropy(out, b.target()))
 *         .metrics(TopOneAccuracy::new)
 *         .epochs(2).outDir(Path.of("runs/mnist")).build();
 * t.fit(trainLoader, valLoader);
 * }</pre>
 */
public final class Trainer {

    private final Module model;
    private final Optimizer optimizer;
    private final LossFunction loss;
    private final LrScheduler scheduler;
    private final boolean schedulePerBatch;
    private final Supplier<List<EpochMetric>> metricFactory;
    private final List<TrainerCallback> callbacks;
    private final Device device;
    private final int epochs;
    private final Path outDir;
    private final Checkpoints checkpoints;
    private final long checkpointEverySteps;
    private final double gradClipNorm;
    private final String monitor;
    private final boolean monitorMax;
    private final int patience;
    private TrainerState state = new TrainerState();
    private volatile boolean stopRequested;

    private Trainer(Builder b) {
        this.model = b.model;
        this.optimizer = b.optimizer;
        this.loss = b.loss;
        this.scheduler = b.scheduler;
        this.schedulePerBatch = b.schedulePerBatch;
        this.metricFactory = b.metrics;
        this.callbacks = List.copyOf(b.callbacks);
        this.device = b.device;
        this.epochs = b.epochs;
        this.outDir = b.outDir;
        this.checkpoints = b.outDir == null ? null : new Checkpoints(b.outDir.resolve("checkpoints"), b.keepCheckpoints);
        this.checkpointEverySteps = b.checkpointEverySteps;
        this.gradClipNorm = b.gradClipNorm;
        this.monitor = b.monitor;
        this.monitorMax = b.monitorMax;
        this.patience = b.patience;
    }

    public static Builder builder() { return new Builder(); }

    public Module model() { return model; }
    public Optimizer optimizer() { return optimizer; }
    public TrainerState state() { return state; }
    public Path outDir() { return outDir; }
    public Device device() { return device; }

    /** Asks the loop to stop after the current epoch (used by early stopping). */
    public void requestStop() { stopRequested = true; }

    /**
     * Continues from the latest checkpoint under the output folder, if there is one; returns
     * whether it did.
     */
    public boolean resumeFromLatest() {
        if (checkpoints == null) throw new IllegalStateException("resume needs an output folder (outDir)");
        Path latest = checkpoints.latest();
        if (latest == null) return false;
        resumeFrom(latest);
        return true;
    }

    public void resumeFrom(Path checkpoint) {
        state = Checkpoints.read(checkpoint, model, optimizer);
        if (scheduler != null) scheduler.setStepCount(state.schedulerStep);
        Generator.global().setState(new Generator.State(state.rngSeed, state.rngOffset));
    }

    /** Trains for the configured number of epochs (from wherever the state says) and returns the history. */
    public List<Map<String, Double>> fit(BatchSource train, BatchSource val) {
        callbacks.forEach(c -> c.onFitStart(this));
        List<EpochMetric> trainMetrics = metricFactory.get();
        long startNanos = System.nanoTime();
        double secondsBefore = state.secondsSoFar;
        while (state.epoch < epochs && !stopRequested) {
            int epoch = state.epoch;
            model.train();
            for (EpochMetric m : trainMetrics) {
                m.reset();
                double[] s = state.metricState.get(m.name());
                if (s != null && state.batch > 0) m.restore(s);
            }
            int batches = train.batchesPerEpoch();
            for (TrainerCallback c : callbacks) c.onEpochStart(this, epoch, state.batch, batches);
            Iterator<Batch> it = train.epoch(epoch, state.batch);
            while (it.hasNext()) {
                Batch b = it.next().to(device);
                trainStep(b, trainMetrics);
                state.batch++;
                state.globalStep++;
                double running = state.lossSum / Math.max(1, state.exampleCount);
                for (TrainerCallback c : callbacks) c.onBatchEnd(this, epoch, state.batch - 1, running);
                if (checkpoints != null && checkpointEverySteps > 0 && state.globalStep % checkpointEverySteps == 0 && it.hasNext()) {
                    state.secondsSoFar = secondsBefore + (System.nanoTime() - startNanos) / 1e9;
                    saveCheckpoint(trainMetrics);
                }
            }
            Map<String, Double> record = new LinkedHashMap<>();
            record.put("epoch", (double) (epoch + 1));
            record.put("train_loss", state.lossSum / Math.max(1, state.exampleCount));
            for (EpochMetric m : trainMetrics) record.put("train_" + m.name(), m.value());
            if (val != null) record.putAll(prefixed("val_", evaluate(val)));
            record.put("lr", optimizer.groups().get(0).lr());
            if (scheduler != null && !schedulePerBatch) scheduler.step();
            state.secondsSoFar = secondsBefore + (System.nanoTime() - startNanos) / 1e9;
            record.put("seconds", state.secondsSoFar);
            state.history.add(record);
            state.epoch++;
            state.batch = 0;
            state.lossSum = 0;
            state.exampleCount = 0;
            state.metricState.clear();
            trackBest(record);
            for (TrainerCallback c : callbacks) c.onEpochEnd(this, epoch, record);
            if (checkpoints != null) saveCheckpoint(trainMetrics);
        }
        if (outDir != null) saveModel(outDir.resolve("model.safetensors"));
        callbacks.forEach(c -> c.onFitEnd(this));
        return state.history;
    }

    private void trainStep(Batch b, List<EpochMetric> metrics) {
        try (var scope = MemoryScope.open("train step")) {
            Tensor out = model.forward(b.input());
            Tensor l = loss.apply(out, b);
            optimizer.zeroGrad();
            l.backward();
            if (gradClipNorm > 0) GradClip.clipGradNorm(model.parameters(), gradClipNorm);
            optimizer.step();
            if (scheduler != null && schedulePerBatch) scheduler.step();
            double value = l.item();
            if (!Double.isFinite(value)) {
                throw new IllegalStateException("training diverged: the loss is " + value + " at step " + state.globalStep
                        + " (epoch " + (state.epoch + 1) + ", batch " + state.batch + "); try a lower learning rate or gradient clipping");
            }
            state.lossSum += value * b.size();
            state.exampleCount += b.size();
            try (var off = GradMode.disable()) {
                Tensor detached = out.detach();
                for (EpochMetric m : metrics) m.update(detached, b);
            }
        }
    }

    /** Mean loss and metrics over {@code data}, in eval mode without gradients. */
    public Map<String, Double> evaluate(BatchSource data) {
        boolean was = model.isTraining();
        model.eval();
        List<EpochMetric> metrics = metricFactory.get();
        metrics.forEach(EpochMetric::reset);
        double lossSum = 0;
        long n = 0;
        try (var off = GradMode.disable()) {
            Iterator<Batch> it = data.epoch(0, 0);
            while (it.hasNext()) {
                Batch b = it.next().to(device);
                try (var scope = MemoryScope.open("eval step")) {
                    Tensor out = model.forward(b.input());
                    lossSum += loss.apply(out, b).item() * b.size();
                    n += b.size();
                    for (EpochMetric m : metrics) m.update(out, b);
                }
            }
        } finally {
            model.train(was);
        }
        Map<String, Double> r = new LinkedHashMap<>();
        r.put("loss", lossSum / Math.max(1, n));
        for (EpochMetric m : metrics) r.put(m.name(), m.value());
        return r;
    }

    private void trackBest(Map<String, Double> record) {
        if (monitor == null) return;
        Double v = record.get(monitor);
        if (v == null) throw new IllegalArgumentException("the monitored metric '" + monitor + "' is not in the epoch record " + record.keySet());
        boolean better = Double.isNaN(state.bestValue) || (monitorMax ? v > state.bestValue : v < state.bestValue);
        if (better) {
            state.bestValue = v;
            state.bestEpoch = state.epoch - 1;
            state.epochsWithoutImprovement = 0;
            if (outDir != null) saveModel(outDir.resolve("best.safetensors"));
        } else {
            state.epochsWithoutImprovement++;
            if (patience > 0 && state.epochsWithoutImprovement >= patience) requestStop();
        }
    }

    private void saveCheckpoint(List<EpochMetric> metrics) {
        var g = Generator.global().state();
        state.rngSeed = g.seed();
        state.rngOffset = g.offset();
        state.schedulerStep = scheduler == null ? 0 : scheduler.stepCount();
        state.metricState.clear();
        for (EpochMetric m : metrics) state.metricState.put(m.name(), m.state());
        checkpoints.write(model, optimizer, state);
    }

    private void saveModel(Path file) {
        try {
            Files.createDirectories(file.getParent());
            SafeTensors.save(model.stateDict(), file, Map.of("format", "pt"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("could not save the model to " + file + ": " + e.getMessage(), e);
        }
    }

    private static Map<String, Double> prefixed(String p, Map<String, Double> m) {
        Map<String, Double> r = new LinkedHashMap<>();
        m.forEach((k, v) -> r.put(p + k, v));
        return r;
    }

    /** Configures a {@link Trainer}. */
    public static final class Builder {
        private Module model;
        private Optimizer optimizer;
        private LossFunction loss;
        private LrScheduler scheduler;
        private boolean schedulePerBatch;
        private Supplier<List<EpochMetric>> metrics = List::of;
        private final List<TrainerCallback> callbacks = new ArrayList<>();
        private Device device = Device.CPU;
        private int epochs = 1;
        private Path outDir;
        private long checkpointEverySteps;
        private int keepCheckpoints = 2;
        private double gradClipNorm;
        private String monitor;
        private boolean monitorMax = true;
        private int patience;
        private boolean progressBar;

        public Builder model(Module m) { this.model = m; return this; }
        public Builder optimizer(Optimizer o) { this.optimizer = o; return this; }
        public Builder loss(LossFunction l) { this.loss = l; return this; }
        /** A schedule stepped after every batch ({@code perBatch}) or after every epoch. */
        public Builder scheduler(LrScheduler s, boolean perBatch) { this.scheduler = s; this.schedulePerBatch = perBatch; return this; }
        @SafeVarargs
        public final Builder metrics(Supplier<? extends EpochMetric>... factories) {
            this.metrics = () -> {
                List<EpochMetric> l = new ArrayList<>();
                for (var f : factories) l.add(f.get());
                return l;
            };
            return this;
        }
        public Builder callback(TrainerCallback c) { callbacks.add(c); return this; }
        public Builder device(Device d) { this.device = d; return this; }
        public Builder epochs(int n) { this.epochs = n; return this; }
        /** Where the model, logs, curves and checkpoints go; adds the log and curve callbacks. */
        public Builder outDir(Path dir) { this.outDir = dir; return this; }
        public Builder checkpointEvery(long steps) { this.checkpointEverySteps = steps; return this; }
        public Builder keepCheckpoints(int n) { this.keepCheckpoints = n; return this; }
        public Builder gradClipNorm(double maxNorm) { this.gradClipNorm = maxNorm; return this; }
        /** Keeps {@code best.safetensors} by this record key (e.g. "val_accuracy"); stops after {@code patience} epochs without improvement (0: never). */
        public Builder monitor(String key, boolean maximize, int patience) {
            this.monitor = key;
            this.monitorMax = maximize;
            this.patience = patience;
            return this;
        }
        /** Shows a progress bar per epoch (rate, ETA, running loss) on standard error. */
        public Builder progressBar() { this.progressBar = true; return this; }

        public Trainer build() {
            if (model == null || optimizer == null || loss == null) {
                throw new IllegalStateException("Trainer needs a model, an optimizer and a loss");
            }
            if (progressBar) callbacks.add(0, new ProgressBarCallback(epochs));
            if (outDir != null) {
                callbacks.add(new MetricsLogCallback(outDir));
                callbacks.add(new CurvePlotCallback(outDir));
            }
            return new Trainer(this);
        }
    }
}
