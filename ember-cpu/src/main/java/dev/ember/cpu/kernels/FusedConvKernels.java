package dev.ember.cpu.kernels;

import dev.ember.core.DType;
import dev.ember.core.Tensor;
import dev.ember.core.backend.Kernel;
import dev.ember.core.backend.KernelTable;
import dev.ember.core.ops.ConvOps;
import dev.ember.core.ops.ConvOps.Conv2dAttrs;
import dev.ember.core.ops.FusedConvOps;
import dev.ember.core.ops.FusedConvOps.Conv2dFusedAttrs;
import dev.ember.cpu.CpuParallel;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.EnumSet;
import java.util.Set;

/**
 * {@code conv2d_fused}: the table's own conv2d kernel writes the convolution (without bias) into
 * the output, then one vectorised pass per output plane computes
 * {@code y = max(y + bias[o] + residual, lo)} with {@code lo = 0} for ReLU and {@code -inf}
 * otherwise. The unfused chain makes a pass for the bias, one for the add and one for the ReLU
 * (four with an unfolded batch norm), each reading and writing the whole activation.
 */
final class FusedConvKernels {

    private static final Set<DType> FLOATS = EnumSet.of(DType.F32, DType.F64);
    private static final VectorSpecies<Float> FS = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Double> DS = DoubleVector.SPECIES_PREFERRED;
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();
    /** Elements per parallel chunk of the epilogue, as the elementwise kernels use. */
    private static final long GRAIN = 16384;

    private FusedConvKernels() {}

    static void register(KernelTable t) {
        // the conv2d kernel is looked up when the op runs, so families may register in any order
        t.register(FusedConvOps.CONV2D_FUSED, FLOATS, (out, in, a) -> run(t, out[0], in, a));
    }

    private static void run(KernelTable t, Tensor y, Tensor[] in, Conv2dFusedAttrs a) {
        Kernel<Conv2dAttrs> conv = t.find(ConvOps.CONV2D, y.dtype());
        if (conv == null) throw new UnsupportedOperationException("conv2d_fused: the CPU backend has no conv2d kernel for " + y.dtype());
        conv.run(new Tensor[] {y}, new Tensor[] {in[0], in[1]}, a.conv());
        Tensor bias = a.hasBias() ? in[2] : null;
        Tensor res = a.hasResidual() ? in[in.length - 1] : null;
        boolean relu = a.activation() == FusedConvOps.Activation.RELU;
        if (bias == null && res == null && !relu) return;
        epilogue(y, bias, res, relu);
    }

    /** y [N, O, plane] = max(y + bias[o] + res, lo), plane by plane in parallel; all contiguous. */
    static void epilogue(Tensor y, Tensor bias, Tensor res, boolean relu) {
        int[] ys = y.shape();
        int channels = ys[1];
        long plane = (long) ys[2] * ys[3], planes = (long) ys[0] * channels;
        DType d = y.dtype();
        int esz = d.byteSize();
        MemorySegment ym = y.segment(), rm = res == null ? null : res.segment();
        long yBase = y.offset() * esz, rBase = res == null ? 0 : res.offset() * esz;
        double[] b = new double[channels];
        if (bias != null) {
            MemorySegment bm = bias.segment();
            long bBase = bias.offset() * esz;
            for (int o = 0; o < channels; o++) {
                b[o] = d == DType.F32 ? bm.get(ValueLayout.JAVA_FLOAT, bBase + o * 4L) : bm.get(ValueLayout.JAVA_DOUBLE, bBase + o * 8L);
            }
        }
        double lo = relu ? 0 : Double.NEGATIVE_INFINITY;
        CpuParallel.forRange(planes, Math.max(1, GRAIN / Math.max(1, plane)), (s, e) -> {
            for (long p = s; p < e; p++) {
                long off = p * plane * esz;
                double bv = b[(int) (p % channels)];
                if (d == DType.F32) {
                    if (rm == null) planeF32(ym, yBase + off, (float) bv, (float) lo, plane);
                    else planeResF32(ym, yBase + off, rm, rBase + off, (float) bv, (float) lo, plane);
                } else {
                    if (rm == null) planeF64(ym, yBase + off, bv, lo, plane);
                    else planeResF64(ym, yBase + off, rm, rBase + off, bv, lo, plane);
                }
            }
        });
    }

    private static void planeF32(MemorySegment y, long yOff, float b, float lo, long n) {
        FloatVector bv = FloatVector.broadcast(FS, b), lv = FloatVector.broadcast(FS, lo);
        long i = 0, up = n - n % FS.length();
        for (; i < up; i += FS.length()) {
            long a = yOff + i * 4;
            FloatVector.fromMemorySegment(FS, y, a, NATIVE).add(bv).max(lv).intoMemorySegment(y, a, NATIVE);
        }
        for (; i < n; i++) {
            long a = yOff + i * 4;
            y.set(ValueLayout.JAVA_FLOAT, a, Math.max(y.get(ValueLayout.JAVA_FLOAT, a) + b, lo));
        }
    }

    private static void planeResF32(MemorySegment y, long yOff, MemorySegment r, long rOff, float b, float lo, long n) {
        FloatVector bv = FloatVector.broadcast(FS, b), lv = FloatVector.broadcast(FS, lo);
        long i = 0, up = n - n % FS.length();
        for (; i < up; i += FS.length()) {
            long a = yOff + i * 4;
            FloatVector.fromMemorySegment(FS, y, a, NATIVE).add(bv)
                    .add(FloatVector.fromMemorySegment(FS, r, rOff + i * 4, NATIVE)).max(lv).intoMemorySegment(y, a, NATIVE);
        }
        for (; i < n; i++) {
            long a = yOff + i * 4;
            y.set(ValueLayout.JAVA_FLOAT, a, Math.max(y.get(ValueLayout.JAVA_FLOAT, a) + b + r.get(ValueLayout.JAVA_FLOAT, rOff + i * 4), lo));
        }
    }

    private static void planeF64(MemorySegment y, long yOff, double b, double lo, long n) {
        DoubleVector bv = DoubleVector.broadcast(DS, b), lv = DoubleVector.broadcast(DS, lo);
        long i = 0, up = n - n % DS.length();
        for (; i < up; i += DS.length()) {
            long a = yOff + i * 8;
            DoubleVector.fromMemorySegment(DS, y, a, NATIVE).add(bv).max(lv).intoMemorySegment(y, a, NATIVE);
        }
        for (; i < n; i++) {
            long a = yOff + i * 8;
            y.set(ValueLayout.JAVA_DOUBLE, a, Math.max(y.get(ValueLayout.JAVA_DOUBLE, a) + b, lo));
        }
    }

    private static void planeResF64(MemorySegment y, long yOff, MemorySegment r, long rOff, double b, double lo, long n) {
        DoubleVector bv = DoubleVector.broadcast(DS, b), lv = DoubleVector.broadcast(DS, lo);
        long i = 0, up = n - n % DS.length();
        for (; i < up; i += DS.length()) {
            long a = yOff + i * 8;
            DoubleVector.fromMemorySegment(DS, y, a, NATIVE).add(bv)
                    .add(DoubleVector.fromMemorySegment(DS, r, rOff + i * 8, NATIVE)).max(lv).intoMemorySegment(y, a, NATIVE);
        }
        for (; i < n; i++) {
            long a = yOff + i * 8;
            y.set(ValueLayout.JAVA_DOUBLE, a, Math.max(y.get(ValueLayout.JAVA_DOUBLE, a) + b + r.get(ValueLayout.JAVA_DOUBLE, rOff + i * 8), lo));
        }
    }
}
