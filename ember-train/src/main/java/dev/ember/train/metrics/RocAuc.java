package dev.ember.train.metrics;

import dev.ember.core.Tensor;

/**
 * Area under the ROC curve for binary targets, from scores of any scale (higher = more likely
 * positive). Tied scores count one half, which equals the trapezoidal area under the curve
 * through the tied points (scikit-learn's {@code roc_auc_score}).
 *
 * <pre>{@code
 * var auc = new RocAuc();
 * auc.update(fraudProbability, isFraud);
 * double a = auc.compute();
 * }</pre>
 */
public final class RocAuc {

    private final ScoreBuffer buf = new ScoreBuffer();

    /** {@code score} and {@code target} (0 or 1) have the same shape. */
    public void update(Tensor score, Tensor target) { buf.add("RocAuc", score, target); }

    /** The area; fails when only one class has been seen, where ROC-AUC is undefined. */
    public double compute() {
        long pos = buf.positives(), neg = buf.size() - pos;
        if (pos == 0 || neg == 0) {
            throw new IllegalStateException("RocAuc: undefined with " + pos + " positive and " + neg + " negative examples; both classes are needed");
        }
        int[] order = buf.descending();
        // walk groups of tied scores from the top: each positive outranks the negatives below it
        double wins = 0;
        long negAbove = 0;
        for (int i = 0; i < order.length; ) {
            int j = i;
            long p = 0, n = 0;
            while (j < order.length && buf.score(order[j]) == buf.score(order[i])) {
                if (buf.positive(order[j])) p++;
                else n++;
                j++;
            }
            wins += p * (neg - negAbove - n) + 0.5 * p * n;
            negAbove += n;
            i = j;
        }
        return wins / ((double) pos * neg);
    }

    public void reset() { buf.reset(); }
}
