package dev.ember.train.metrics;

import dev.ember.core.Tensor;

/** Intersection and sizes of binary masks summed over every pixel of every batch. */
final class MaskOverlap {

    private final double threshold;
    long intersection;
    long predicted;
    long actual;

    MaskOverlap(String metric, double threshold) {
        if (Double.isNaN(threshold)) throw new IllegalArgumentException(metric + ": threshold is NaN");
        this.threshold = threshold;
    }

    void add(String metric, Tensor pred, Tensor target) {
        MetricInputs.sameShape(metric, pred, target);
        double[] p = pred.toDoubleArray();
        double[] t = target.toDoubleArray();
        for (int i = 0; i < p.length; i++) {
            boolean a = p[i] > threshold, b = t[i] != 0;
            if (a) predicted++;
            if (b) actual++;
            if (a && b) intersection++;
        }
    }

    void reset() { intersection = predicted = actual = 0; }
}
