package dev.ember.cpu.kernels;

import dev.ember.core.DType;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Small vectorised loops over native segments shared by the convolution, pooling and
 * normalisation kernels. Offsets are in bytes, counts in elements.
 */
final class VecMath {

    private VecMath() {}

    private static final VectorSpecies<Float> FS = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Double> DS = DoubleVector.SPECIES_PREFERRED;
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();

    /** dst[i] += src[i] for i in [0, n). */
    static void addInto(DType d, MemorySegment src, long srcOff, MemorySegment dst, long dstOff, long n) {
        if (d == DType.F32) {
            long i = 0, up = n - n % FS.length();
            for (; i < up; i += FS.length()) {
                long a = dstOff + i * 4;
                FloatVector.fromMemorySegment(FS, dst, a, NATIVE)
                        .add(FloatVector.fromMemorySegment(FS, src, srcOff + i * 4, NATIVE))
                        .intoMemorySegment(dst, a, NATIVE);
            }
            for (; i < n; i++) {
                long a = dstOff + i * 4;
                dst.set(ValueLayout.JAVA_FLOAT, a, dst.get(ValueLayout.JAVA_FLOAT, a) + src.get(ValueLayout.JAVA_FLOAT, srcOff + i * 4));
            }
        } else {
            long i = 0, up = n - n % DS.length();
            for (; i < up; i += DS.length()) {
                long a = dstOff + i * 8;
                DoubleVector.fromMemorySegment(DS, dst, a, NATIVE)
                        .add(DoubleVector.fromMemorySegment(DS, src, srcOff + i * 8, NATIVE))
                        .intoMemorySegment(dst, a, NATIVE);
            }
            for (; i < n; i++) {
                long a = dstOff + i * 8;
                dst.set(ValueLayout.JAVA_DOUBLE, a, dst.get(ValueLayout.JAVA_DOUBLE, a) + src.get(ValueLayout.JAVA_DOUBLE, srcOff + i * 8));
            }
        }
    }

    /** dst[i * stride] += src[i] for i in [0, n). */
    static void addIntoStrided(DType d, MemorySegment src, long srcOff, MemorySegment dst, long dstOff, int stride, long n) {
        if (d == DType.F32) {
            for (long i = 0; i < n; i++) {
                long a = dstOff + i * stride * 4;
                dst.set(ValueLayout.JAVA_FLOAT, a, dst.get(ValueLayout.JAVA_FLOAT, a) + src.get(ValueLayout.JAVA_FLOAT, srcOff + i * 4));
            }
        } else {
            for (long i = 0; i < n; i++) {
                long a = dstOff + i * stride * 8;
                dst.set(ValueLayout.JAVA_DOUBLE, a, dst.get(ValueLayout.JAVA_DOUBLE, a) + src.get(ValueLayout.JAVA_DOUBLE, srcOff + i * 8));
            }
        }
    }

    /** dst[i] += v for i in [0, n). */
    static void addScalar(DType d, MemorySegment dst, long dstOff, double v, long n) {
        if (d == DType.F32) {
            float f = (float) v;
            FloatVector fv = FloatVector.broadcast(FS, f);
            long i = 0, up = n - n % FS.length();
            for (; i < up; i += FS.length()) {
                long a = dstOff + i * 4;
                FloatVector.fromMemorySegment(FS, dst, a, NATIVE).add(fv).intoMemorySegment(dst, a, NATIVE);
            }
            for (; i < n; i++) {
                long a = dstOff + i * 4;
                dst.set(ValueLayout.JAVA_FLOAT, a, dst.get(ValueLayout.JAVA_FLOAT, a) + f);
            }
        } else {
            DoubleVector dv = DoubleVector.broadcast(DS, v);
            long i = 0, up = n - n % DS.length();
            for (; i < up; i += DS.length()) {
                long a = dstOff + i * 8;
                DoubleVector.fromMemorySegment(DS, dst, a, NATIVE).add(dv).intoMemorySegment(dst, a, NATIVE);
            }
            for (; i < n; i++) {
                long a = dstOff + i * 8;
                dst.set(ValueLayout.JAVA_DOUBLE, a, dst.get(ValueLayout.JAVA_DOUBLE, a) + v);
            }
        }
    }

    /** Lane i from lane i ^ w (i when w is not below the length): the steps of {@link #sumLanes}. */
    private static final VectorShuffle<Float> X8 = xor(8), X4 = xor(4), X2 = xor(2), X1 = xor(1);

    private static VectorShuffle<Float> xor(int w) { return VectorShuffle.fromOp(FS, i -> w < FS.length() ? i ^ w : i); }

    /**
     * The sum of v's lanes in a fixed order: lane i plus lane i + L/2, then the same on that half,
     * down to one lane. Use this, not {@code reduceLanes(ADD)}: the Vector API leaves the order of
     * a floating-point add reduction open and HotSpot uses two, lane by lane in its Java fallback
     * (interpreter, C1) and pairwise in C2's x86 intrinsic. A kernel's sums then changed when C2
     * compiled (or deoptimised) its caller, at times set by the JIT's background threads, and
     * training runs were not repeatable. Lane-wise adds and shuffles mean the same in every tier,
     * and cost about what the intrinsic does.
     */
    static float sumLanes(FloatVector v) {
        int l = FS.length();
        // wider than AVX-512 (SVE): the same tree, with shuffles made per call
        for (int w = l / 2; w > 8; w /= 2) v = v.add(v.rearrange(xor(w)));
        if (l > 8) v = v.add(v.rearrange(X8));
        if (l > 4) v = v.add(v.rearrange(X4));
        if (l > 2) v = v.add(v.rearrange(X2));
        if (l > 1) v = v.add(v.rearrange(X1));
        return v.lane(0);
    }
}
