package dev.ember.cpu.kernels;

import dev.ember.core.DType;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
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

    /**
     * The lanes of v added in lane order, in double. Use this, not {@code reduceLanes(ADD)}: the
     * Vector API leaves the order of a floating-point add reduction open, and HotSpot uses two. The
     * Java fallback (interpreter, C1) adds lane by lane, C2's x86 intrinsic pairwise, so a kernel's
     * sum changed when C2 finished compiling its caller, at a time set by the JIT's background
     * threads: training runs were not repeatable. Lane extraction and scalar adds mean the same in
     * every tier. It runs once per vector loop, not per element, so its cost does not show.
     */
    static double sumLanes(FloatVector v) {
        double s = 0;
        for (int i = 0; i < v.length(); i++) s += v.lane(i);
        return s;
    }
}
