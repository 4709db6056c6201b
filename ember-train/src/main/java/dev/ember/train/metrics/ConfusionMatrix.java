package dev.ember.train.metrics;

import dev.ember.core.Tensor;

/**
 * Counts of (true class, predicted class) pairs over batches: row = target, column =
 * prediction, as scikit-learn's {@code confusion_matrix}. Predictions are labels of the
 * target's shape, or class scores [N, C, ...] (argmax over dimension 1).
 *
 * <pre>{@code
 * var cm = new ConfusionMatrix(10);
 * cm.update(logits, labels);
 * long[][] m = cm.compute();   // m[t][p]
 * }</pre>
 */
public final class ConfusionMatrix {

    private final int numClasses;
    private final long[][] counts;

    public ConfusionMatrix(int numClasses) {
        if (numClasses < 1) throw new IllegalArgumentException("ConfusionMatrix: numClasses " + numClasses + " must be positive");
        this.numClasses = numClasses;
        this.counts = new long[numClasses][numClasses];
    }

    public int numClasses() { return numClasses; }

    public void update(Tensor pred, Tensor target) {
        long[] p = MetricInputs.predictedClasses("ConfusionMatrix", pred, target);
        long[] t = MetricInputs.labels("ConfusionMatrix", target, "target");
        for (int i = 0; i < t.length; i++) {
            check(t[i], "target", i);
            check(p[i], "prediction", i);
        }
        for (int i = 0; i < t.length; i++) counts[(int) t[i]][(int) p[i]]++;
    }

    private void check(long label, String what, int i) {
        if (label < 0 || label >= numClasses) {
            throw new IllegalArgumentException("ConfusionMatrix: " + what + " class " + label + " at flat index " + i
                    + " is outside [0, " + numClasses + ")");
        }
    }

    /** A copy of the counts, {@code [target][prediction]}. */
    public long[][] compute() {
        long[][] out = new long[numClasses][];
        for (int i = 0; i < numClasses; i++) out[i] = counts[i].clone();
        return out;
    }

    /** The counts as an i64 tensor [C, C]. */
    public Tensor toTensor() {
        long[] flat = new long[numClasses * numClasses];
        for (int i = 0; i < numClasses; i++) System.arraycopy(counts[i], 0, flat, i * numClasses, numClasses);
        return Tensor.of(flat, numClasses, numClasses);
    }

    long count(int target, int pred) { return counts[target][pred]; }

    public void reset() {
        for (long[] row : counts) java.util.Arrays.fill(row, 0);
    }
}
