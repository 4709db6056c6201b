package dev.ember.cpu.indexing;

import java.util.Random;

/** Row-major coordinate arithmetic and random data for the reference loops of these tests. */
final class Nd {

    private Nd() {}

    static int numel(int[] shape) {
        int n = 1;
        for (int s : shape) n *= s;
        return n;
    }

    static int[] coords(int flat, int[] shape) {
        int[] c = new int[shape.length];
        for (int d = shape.length - 1; d >= 0; d--) {
            c[d] = flat % shape[d];
            flat /= shape[d];
        }
        return c;
    }

    static int flat(int[] c, int[] shape) {
        int f = 0;
        for (int d = 0; d < shape.length; d++) f = f * shape[d] + c[d];
        return f;
    }

    static double[] randoms(Random r, int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = Math.round(r.nextGaussian() * 100) / 10.0;
        return v;
    }

    static long[] indices(Random r, int n, int bound) {
        long[] v = new long[n];
        for (int i = 0; i < n; i++) v[i] = r.nextInt(bound);
        return v;
    }
}
