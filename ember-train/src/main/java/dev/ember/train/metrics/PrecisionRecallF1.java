package dev.ember.train.metrics;

import dev.ember.core.Tensor;

/**
 * Precision, recall and F1, either for the positive class 1 of a binary problem or
 * macro-averaged (the unweighted mean of the per-class scores, as scikit-learn's
 * {@code average="macro"}). A score whose denominator is 0 counts as 0.
 *
 * <pre>{@code
 * var prf = PrecisionRecallF1.binary();
 * prf.update(probabilities.gt(0.5), labels);
 * PrecisionRecallF1.Scores s = prf.compute();
 * }</pre>
 */
public final class PrecisionRecallF1 {

    /** The three scores. */
    public record Scores(double precision, double recall, double f1) {}

    private final ConfusionMatrix matrix;
    private final boolean binary;

    private PrecisionRecallF1(int numClasses, boolean binary) {
        this.matrix = new ConfusionMatrix(numClasses);
        this.binary = binary;
    }

    /** Scores of class 1 for labels in {0, 1}. */
    public static PrecisionRecallF1 binary() { return new PrecisionRecallF1(2, true); }

    /** Mean of the per-class scores over {@code numClasses} classes. */
    public static PrecisionRecallF1 macro(int numClasses) { return new PrecisionRecallF1(numClasses, false); }

    public void update(Tensor pred, Tensor target) { matrix.update(pred, target); }

    public Scores compute() {
        if (binary) return perClass(1);
        int c = matrix.numClasses();
        double p = 0, r = 0, f = 0;
        for (int k = 0; k < c; k++) {
            Scores s = perClass(k);
            p += s.precision();
            r += s.recall();
            f += s.f1();
        }
        return new Scores(p / c, r / c, f / c);
    }

    /** The scores of class {@code k} taken as the positive class. */
    public Scores perClass(int k) {
        int c = matrix.numClasses();
        if (k < 0 || k >= c) throw new IllegalArgumentException("PrecisionRecallF1: class " + k + " is outside [0, " + c + ")");
        long tp = matrix.count(k, k), predicted = 0, actual = 0;
        for (int i = 0; i < c; i++) {
            predicted += matrix.count(i, k);
            actual += matrix.count(k, i);
        }
        double precision = predicted == 0 ? 0 : (double) tp / predicted;
        double recall = actual == 0 ? 0 : (double) tp / actual;
        double f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
        return new Scores(precision, recall, f1);
    }

    public void reset() { matrix.reset(); }
}
