package dev.ember.train.metrics;

import dev.ember.core.Tensor;

import java.util.Arrays;

/** Turns batch predictions and targets into host arrays, with the checks every metric shares. */
final class MetricInputs {
    private MetricInputs() {}

    static void sameShape(String metric, Tensor pred, Tensor target) {
        if (!Arrays.equals(pred.shape(), target.shape())) {
            throw new IllegalArgumentException(metric + ": prediction of shape " + Arrays.toString(pred.shape())
                    + " and target of shape " + Arrays.toString(target.shape()) + " differ");
        }
    }

    /**
     * Predicted class per element: {@code pred} holds labels when it has the target's shape, or
     * scores over classes in dimension 1 when it has one more dimension ([N, C] for [N], or
     * [N, C, H, W] for [N, H, W]); ties go to the lowest class.
     */
    static long[] predictedClasses(String metric, Tensor pred, Tensor target) {
        int[] ps = pred.shape(), ts = target.shape();
        if (Arrays.equals(ps, ts)) return labels(metric, pred, "prediction");
        boolean scores = ps.length == ts.length + 1 && ps.length >= 2 && ps[0] == ts[0]
                && Arrays.equals(Arrays.copyOfRange(ps, 2, ps.length), Arrays.copyOfRange(ts, 1, ts.length));
        if (!scores) {
            throw new IllegalArgumentException(metric + ": prediction of shape " + Arrays.toString(ps) + " is neither labels of the target's shape "
                    + Arrays.toString(ts) + " nor class scores [N, C, ...] for it");
        }
        double[] v = pred.toDoubleArray();
        int n = ps[0], c = ps[1];
        int rest = 1;
        for (int i = 2; i < ps.length; i++) rest *= ps[i];
        long[] out = new long[n * rest];
        for (int i = 0; i < n; i++) {
            for (int r = 0; r < rest; r++) {
                int best = 0;
                double bv = v[i * c * rest + r];
                for (int k = 1; k < c; k++) {
                    double x = v[(i * c + k) * rest + r];
                    if (x > bv || (Double.isNaN(x) && !Double.isNaN(bv))) { bv = x; best = k; }
                }
                out[i * rest + r] = best;
            }
        }
        return out;
    }

    /** Integer labels; fractional values are an error rather than being truncated silently. */
    static long[] labels(String metric, Tensor t, String what) {
        if (t.dtype().isFloating()) {
            double[] d = t.toDoubleArray();
            long[] out = new long[d.length];
            for (int i = 0; i < d.length; i++) {
                if (d[i] != Math.rint(d[i])) {
                    throw new IllegalArgumentException(metric + ": " + what + " holds " + d[i] + " at flat index " + i + ", not a class label");
                }
                out[i] = (long) d[i];
            }
            return out;
        }
        return t.toLongArray();
    }

    /** Binary targets: 0 or 1 only. */
    static boolean[] binaryTargets(String metric, Tensor target) {
        long[] l = labels(metric, target, "target");
        boolean[] out = new boolean[l.length];
        for (int i = 0; i < l.length; i++) {
            if (l[i] != 0 && l[i] != 1) {
                throw new IllegalArgumentException(metric + ": target holds " + l[i] + " at flat index " + i + "; binary targets must be 0 or 1");
            }
            out[i] = l[i] == 1;
        }
        return out;
    }
}
