package dev.ember.train.metrics;

import dev.ember.core.Tensor;

/**
 * Fraction of correct predictions, accumulated over batches. Predictions are labels of the
 * target's shape, or class scores [N, C, ...] (argmax over dimension 1).
 *
 * <pre>{@code
 * var acc = new Accuracy();
 * for (Batch b : testLoader) acc.update(model.forward(b.input()), b.target());
 * double a = acc.compute();
 * }</pre>
 */
public final class Accuracy {

    private long correct;
    private long total;

    public void update(Tensor pred, Tensor target) {
        long[] p = MetricInputs.predictedClasses("Accuracy", pred, target);
        long[] t = MetricInputs.labels("Accuracy", target, "target");
        for (int i = 0; i < t.length; i++) if (p[i] == t[i]) correct++;
        total += t.length;
    }

    /** Correct / seen; NaN before any example. */
    public double compute() { return total == 0 ? Double.NaN : (double) correct / total; }

    public long correct() { return correct; }
    public long total() { return total; }

    public void reset() { correct = 0; total = 0; }

    /** Sets the counts, for resuming an epoch from a checkpoint. */
    public void restore(long correct, long total) {
        this.correct = correct;
        this.total = total;
    }
}
