package dev.ember.cpu.kernels;

import jdk.incubator.vector.FloatVector;
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
            acc = VecMath.sumLanes(v);
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
            acc = VecMath.sumLanes(v);
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
                s0 = VecMath.sumLanes(v0);
                s1 = VecMath.sumLanes(v1);
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

    /**
     * y[j] = (x[j] - mean) * rstd * w[j] + b[j] over n elements, w and b per element (each may be
     * null: then 1 and 0).
     */
    static void normalizeAffine(MemorySegment x, long xo, MemorySegment y, long yo, long n, double mean, double rstd,
                                MemorySegment w, long wo, MemorySegment b, long bo, boolean f32) {
        if (!f32) {
            for (long i = 0; i < n; i++) {
                double v = (x.getAtIndex(DL, xo + i) - mean) * rstd;
                if (w != null) v *= w.getAtIndex(DL, wo + i);
                if (b != null) v += b.getAtIndex(DL, bo + i);
                y.setAtIndex(DL, yo + i, v);
            }
            return;
        }
        float m = (float) mean, r = (float) rstd;
        boolean hw = w != null, hb = b != null;
        long i = 0;
        for (long up = n - n % L; i < up; i += L) {
            FloatVector v = FloatVector.fromMemorySegment(F, x, (xo + i) * 4, NATIVE).sub(m).mul(r);
            if (hw && hb) {
                v = v.fma(FloatVector.fromMemorySegment(F, w, (wo + i) * 4, NATIVE), FloatVector.fromMemorySegment(F, b, (bo + i) * 4, NATIVE));
            } else if (hw) {
                v = v.mul(FloatVector.fromMemorySegment(F, w, (wo + i) * 4, NATIVE));
            } else if (hb) {
                v = v.add(FloatVector.fromMemorySegment(F, b, (bo + i) * 4, NATIVE));
            }
            v.intoMemorySegment(y, (yo + i) * 4, NATIVE);
        }
        for (; i < n; i++) {
            float v = (x.getAtIndex(FL, xo + i) - m) * r;
            if (hw) v *= w.getAtIndex(FL, wo + i);
            if (hb) v += b.getAtIndex(FL, bo + i);
            y.setAtIndex(FL, yo + i, v);
        }
    }

    /** With g = gy * w (w null: 1): acc[0] = sum of g, acc[1] = sum of g * (x - mean), over n elements. */
    static void weightedSumAndDot(MemorySegment gy, long go, MemorySegment x, long xo, MemorySegment w, long wo, long n,
                                  double mean, boolean f32, double[] acc) {
        if (w == null) {
            sumAndDot(gy, go, x, xo, n, mean, f32, acc);
            return;
        }
        double s0 = 0, s1 = 0;
        if (!f32) {
            for (long i = 0; i < n; i++) {
                double g = gy.getAtIndex(DL, go + i) * w.getAtIndex(DL, wo + i);
                s0 += g;
                s1 += g * (x.getAtIndex(DL, xo + i) - mean);
            }
        } else {
            float m = (float) mean;
            long i = 0;
            if (n >= L) {
                FloatVector v0 = FloatVector.zero(F), v1 = FloatVector.zero(F);
                for (long up = n - n % L; i < up; i += L) {
                    FloatVector g = FloatVector.fromMemorySegment(F, gy, (go + i) * 4, NATIVE)
                            .mul(FloatVector.fromMemorySegment(F, w, (wo + i) * 4, NATIVE));
                    v0 = v0.add(g);
                    v1 = g.fma(FloatVector.fromMemorySegment(F, x, (xo + i) * 4, NATIVE).sub(m), v1);
                }
                s0 = VecMath.sumLanes(v0);
                s1 = VecMath.sumLanes(v1);
            }
            for (; i < n; i++) {
                float g = gy.getAtIndex(FL, go + i) * w.getAtIndex(FL, wo + i);
                s0 += g;
                s1 += g * (double) (x.getAtIndex(FL, xo + i) - m);
            }
        }
        acc[0] = s0;
        acc[1] = s1;
    }

    /** out[i] = a * gy[i] * w[i] + b * (x[i] - mean) + c over n elements (w null: 1). */
    static void weightedCombine(MemorySegment gy, long go, MemorySegment x, long xo, MemorySegment w, long wo, MemorySegment out,
                                long oo, long n, double mean, double a, double b, double c, boolean f32) {
        if (w == null) {
            combine(gy, go, x, xo, out, oo, n, mean, a, b, c, f32);
            return;
        }
        if (!f32) {
            for (long i = 0; i < n; i++) {
                out.setAtIndex(DL, oo + i, a * gy.getAtIndex(DL, go + i) * w.getAtIndex(DL, wo + i)
                        + b * (x.getAtIndex(DL, xo + i) - mean) + c);
            }
            return;
        }
        float m = (float) mean, fa = (float) a, fb = (float) b, fc = (float) c;
        long i = 0;
        for (long up = n - n % L; i < up; i += L) {
            FloatVector g = FloatVector.fromMemorySegment(F, gy, (go + i) * 4, NATIVE)
                    .mul(FloatVector.fromMemorySegment(F, w, (wo + i) * 4, NATIVE)).mul(fa);
            FloatVector dev = FloatVector.fromMemorySegment(F, x, (xo + i) * 4, NATIVE).sub(m);
            dev.fma(FloatVector.broadcast(F, fb), g.add(fc)).intoMemorySegment(out, (oo + i) * 4, NATIVE);
        }
        for (; i < n; i++) {
            float g = gy.getAtIndex(FL, go + i) * w.getAtIndex(FL, wo + i) * fa;
            out.setAtIndex(FL, oo + i, Math.fma(x.getAtIndex(FL, xo + i) - m, fb, g + fc));
        }
    }

    /** sb[j] += g[j] and sw[j] += g[j] * (x[j] - mean) * rstd over n elements (one row of layer norm's backward). */
    static void accumulateColumns(MemorySegment g, long go, MemorySegment x, long xo, long n, double mean, double rstd,
                                  double[] sw, double[] sb, boolean f32) {
        for (int j = 0; j < n; j++) {
            double gj = f32 ? g.getAtIndex(FL, go + j) : g.getAtIndex(DL, go + j);
            double xj = f32 ? x.getAtIndex(FL, xo + j) : x.getAtIndex(DL, xo + j);
            sb[j] += gj;
            sw[j] += gj * (xj - mean) * rstd;
        }
    }
}
