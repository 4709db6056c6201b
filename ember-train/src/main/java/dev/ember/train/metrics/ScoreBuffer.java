package dev.ember.train.metrics;

import dev.ember.core.Tensor;

import java.util.Arrays;

/** Scores and binary targets collected over batches, for the ranking metrics. */
final class ScoreBuffer {

    private double[] scores = new double[1024];
    private boolean[] positive = new boolean[1024];
    private int size;

    void add(String metric, Tensor score, Tensor target) {
        MetricInputs.sameShape(metric, score, target);
        double[] s = score.toDoubleArray();
        boolean[] t = MetricInputs.binaryTargets(metric, target);
        for (int i = 0; i < s.length; i++) {
            if (Double.isNaN(s[i])) throw new IllegalArgumentException(metric + ": score at flat index " + i + " is NaN");
        }
        if (size + s.length > scores.length) {
            int cap = Math.max(scores.length * 2, size + s.length);
            scores = Arrays.copyOf(scores, cap);
            positive = Arrays.copyOf(positive, cap);
        }
        System.arraycopy(s, 0, scores, size, s.length);
        System.arraycopy(t, 0, positive, size, t.length);
        size += s.length;
    }

    int size() { return size; }

    /** Indices sorted by descending score. */
    int[] descending() {
        Integer[] idx = new Integer[size];
        for (int i = 0; i < size; i++) idx[i] = i;
        Arrays.sort(idx, (a, b) -> Double.compare(scores[b], scores[a]));
        int[] out = new int[size];
        for (int i = 0; i < size; i++) out[i] = idx[i];
        return out;
    }

    double score(int i) { return scores[i]; }
    boolean positive(int i) { return positive[i]; }

    long positives() {
        long p = 0;
        for (int i = 0; i < size; i++) if (positive[i]) p++;
        return p;
    }

    void reset() { size = 0; }
}
