package dev.ember.cpu.reductions;

import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;

/** Reference reductions by plain loops over row-major data: groups the values of each output position. */
final class Naive {

    private Naive() {}

    /** For each output position (row-major over the kept dims), the input values reduced into it, in input order. */
    static List<double[]> groups(double[] data, int[] shape, int[] axes) {
        boolean[] red = new boolean[shape.length];
        for (int a : axes) red[a < 0 ? a + shape.length : a] = true;
        int outCount = 1;
        for (int i = 0; i < shape.length; i++) if (!red[i]) outCount *= shape[i];
        List<List<Double>> g = new ArrayList<>();
        for (int i = 0; i < outCount; i++) g.add(new ArrayList<>());
        int[] idx = new int[shape.length];
        for (int flat = 0; flat < data.length; flat++) {
            int rem = flat;
            for (int d = shape.length - 1; d >= 0; d--) {
                idx[d] = rem % shape[d];
                rem /= shape[d];
            }
            int o = 0;
            for (int d = 0; d < shape.length; d++) if (!red[d]) o = o * shape[d] + idx[d];
            g.get(o).add(data[flat]);
        }
        List<double[]> r = new ArrayList<>();
        for (List<Double> l : g) r.add(l.stream().mapToDouble(Double::doubleValue).toArray());
        return r;
    }

    static double[] reduce(double[] data, int[] shape, int[] axes, ToDoubleFunction<double[]> f) {
        return groups(data, shape, axes).stream().mapToDouble(f).toArray();
    }

    static double max(double[] v) {
        double m = Double.NEGATIVE_INFINITY;
        for (double x : v) m = Math.max(m, x);
        return m;
    }

    static double min(double[] v) {
        double m = Double.POSITIVE_INFINITY;
        for (double x : v) m = Math.min(m, x);
        return m;
    }

    static double var(double[] v, int correction) {
        double mean = 0;
        for (double x : v) mean += x;
        mean /= v.length;
        double s = 0;
        for (double x : v) s += (x - mean) * (x - mean);
        return s / Math.max(0, v.length - correction);
    }

    static double logsumexp(double[] v) {
        double s = 0;
        for (double x : v) s += Math.exp(x);
        return Math.log(s);
    }

    static double norm(double[] v, double p) {
        if (p == Double.POSITIVE_INFINITY) {
            double m = 0;
            for (double x : v) m = Math.max(m, Math.abs(x));
            return m;
        }
        double s = 0;
        for (double x : v) s += Math.pow(Math.abs(x), p);
        return Math.pow(s, 1 / p);
    }

    /** Index of the first maximum (or minimum) in the values of one group. */
    static double argExtreme(double[] v, boolean max) {
        int best = 0;
        for (int i = 1; i < v.length; i++) if (max ? v[i] > v[best] : v[i] < v[best]) best = i;
        return best;
    }
}
