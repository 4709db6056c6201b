package dev.ember.cpu.kernels;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The loops of the normalisation kernels over one contiguous run of elements (a channel's plane):
 * f32 with the Vector API, f64 plainly. Offsets and lengths are in elements. Sums come back in
 * double; within a run they are kept in f32 lanes, which is accurate enough for the plane sizes
 * of images and keeps the loop vectorised.
 */
final class PlaneMath {

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int L = F.length();
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
    private static final ValueLayout.OfFloat FL = ValueLayout.JAVA_FLOAT;
    private static final ValueLayout.OfDouble DL = ValueLayout.JAVA_DOUBLE;

    private PlaneMath() {}

    /** The sum of s[o, o + n). */
    static double sum(MemorySegment s, long o, long n, boolean f32) {
        if (!f32) {
            double acc = 0;
            for (long i = 0; i < n; i++) acc += s.getAtIndex(DL, o + i);
            return acc;
        }
        long i = 0;
        double acc = 0;
        if (n >= L) {
            FloatVector v = FloatVector.zero(F);
            for (long up = n - n % L; i < up; i += L) v = v.add(FloatVector.fromMemorySegment(F, s, (o + i) * 4, NATIVE));
            acc = v.reduceLanes(VectorOperators.ADD);
        }
        for (; i < n; i++) acc += s.getAtIndex(FL, o + i);
        return acc;
    }

    /** The sum of (s[i] - mean)^2 over [o, o + n). */
    static double squaredDeviation(MemorySegment s, long o, long n, double mean, boolean f32) {
        if (!f32) {
            double acc = 0;
            for (long i = 0; i < n; i++) {
                double d = s.getAtIndex(DL, o + i) - mean;
                acc += d * d;
            }
            return acc;
        }
        long i = 0;
        double acc = 0;
        float m = (float) mean;
        if (n >= L) {
            FloatVector v = FloatVector.zero(F);
            for (long up = n - n % L; i < up; i += L) {
                FloatVector d = FloatVector.fromMemorySegment(F, s, (o + i) * 4, NATIVE).sub(m);
                v = d.fma(d, v);
            }
            acc = v.reduceLanes(VectorOperators.ADD);
        }
        for (; i < n; i++) {
            double d = s.getAtIndex(FL, o + i) - m;
            acc += d * d;
        }
        return acc;
    }

    /** d[j] = (s[j] - mean) * scale + shift over n elements. */
    static void normalize(MemorySegment s, long so, MemorySegment d, long dOff, long n, double mean, double scale, double shift,
                          boolean f32) {
        if (!f32) {
            for (long i = 0; i < n; i++) d.setAtIndex(DL, dOff + i, (s.getAtIndex(DL, so + i) - mean) * scale + shift);
            return;
        }
        float m = (float) mean, a = (float) scale, b = (float) shift;
        long i = 0;
        for (long up = n - n % L; i < up; i += L) {
            FloatVector.fromMemorySegment(F, s, (so + i) * 4, NATIVE).sub(m).fma(a, b).intoMemorySegment(d, (dOff + i) * 4, NATIVE);
        }
        for (; i < n; i++) d.setAtIndex(FL, dOff + i, Math.fma(s.getAtIndex(FL, so + i) - m, a, b));
    }

    /** acc[0] = sum of g[i], acc[1] = sum of g[i] * (x[i] - mean), over n elements. */
    static void sumAndDot(MemorySegment g, long go, MemorySegment x, long xo, long n, double mean, boolean f32, double[] acc) {
        double s0 = 0, s1 = 0;
        if (!f32) {
            for (long i = 0; i < n; i++) {
                double gi = g.getAtIndex(DL, go + i);
                s0 += gi;
                s1 += gi * (x.getAtIndex(DL, xo + i) - mean);
            }
        } else {
            float m = (float) mean;
            long i = 0;
            if (n >= L) {
                FloatVector v0 = FloatVector.zero(F), v1 = FloatVector.zero(F);
                for (long up = n - n % L; i < up; i += L) {
                    FloatVector gv = FloatVector.fromMemorySegment(F, g, (go + i) * 4, NATIVE);
                    v0 = v0.add(gv);
                    v1 = gv.fma(FloatVector.fromMemorySegment(F, x, (xo + i) * 4, NATIVE).sub(m), v1);
                }
                s0 = v0.reduceLanes(VectorOperators.ADD);
                s1 = v1.reduceLanes(VectorOperators.ADD);
            }
            for (; i < n; i++) {
                float gi = g.getAtIndex(FL, go + i);
                s0 += gi;
                s1 += gi * (double) (x.getAtIndex(FL, xo + i) - m);
            }
        }
        acc[0] = s0;
        acc[1] = s1;
    }

    /** out[i] = a * g[i] + b * (x[i] - mean) + c over n elements. */
    static void combine(MemorySegment g, long go, MemorySegment x, long xo, MemorySegment out, long oo, long n,
                        double mean, double a, double b, double c, boolean f32) {
        if (!f32) {
            for (long i = 0; i < n; i++) {
                out.setAtIndex(DL, oo + i, a * g.getAtIndex(DL, go + i) + b * (x.getAtIndex(DL, xo + i) - mean) + c);
            }
            return;
        }
        float m = (float) mean, fa = (float) a, fb = (float) b, fc = (float) c;
        FloatVector va = FloatVector.broadcast(F, fa);
        long i = 0;
        for (long up = n - n % L; i < up; i += L) {
            FloatVector dev = FloatVector.fromMemorySegment(F, x, (xo + i) * 4, NATIVE).sub(m);
            FloatVector.fromMemorySegment(F, g, (go + i) * 4, NATIVE).fma(va, dev.fma(fb, fc)).intoMemorySegment(out, (oo + i) * 4, NATIVE);
        }
        for (; i < n; i++) {
            out.setAtIndex(FL, oo + i, Math.fma(g.getAtIndex(FL, go + i), fa, Math.fma(x.getAtIndex(FL, xo + i) - m, fb, fc)));
        }
    }
}
