package dev.ember.train.metrics;

import dev.ember.core.Tensor;

/**
 * Area under the precision-recall curve as average precision:
 * {@code AP = sum over thresholds of (R_k - R_{k-1}) * P_k}, with one threshold per distinct
 * score (tied scores enter together), as scikit-learn's {@code average_precision_score}. More
 * informative than ROC-AUC when positives are rare (fraud, rare diseases).
 *
 * <pre>{@code
 * var ap = new PrAuc();
 * ap.update(scores, labels);
 * double v = ap.compute();
 * }</pre>
 */
public final class PrAuc {

    private final ScoreBuffer buf = new ScoreBuffer();

    /** {@code score} and {@code target} (0 or 1) have the same shape. */
    public void update(Tensor score, Tensor target) { buf.add("PrAuc", score, target); }

    /** Average precision; fails when no positive has been seen (recall undefined). */
    public double compute() {
        long pos = buf.positives();
        if (pos == 0) throw new IllegalStateException("PrAuc: undefined with no positive examples among " + buf.size());
        int[] order = buf.descending();
        double ap = 0, prevRecall = 0;
        long tp = 0, seen = 0;
        for (int i = 0; i < order.length; ) {
            int j = i;
            while (j < order.length && buf.score(order[j]) == buf.score(order[i])) {
                if (buf.positive(order[j])) tp++;
                seen++;
                j++;
            }
            double recall = (double) tp / pos;
            ap += (recall - prevRecall) * ((double) tp / seen);
            prevRecall = recall;
            i = j;
        }
        return ap;
    }

    public void reset() { buf.reset(); }
}
