package dev.ember.cpu.kernels;

import dev.ember.core.DType;
import dev.ember.core.Tensor;
import dev.ember.core.backend.KernelTable;
import dev.ember.core.ops.TensorOps;
import dev.ember.cpu.CpuParallel;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.EnumSet;

/** Strided, broadcasting copy with dtype conversion: cast, contiguous() and every in-place write. */
final class CopyKernels {

    private CopyKernels() {}

    static void register(KernelTable t) {
        EnumSet<DType> all = EnumSet.allOf(DType.class);
        t.register(TensorOps.CAST, all, (out, in, to) -> copy(out[0], in[0]));
        t.register(TensorOps.COPY_INTO, all, (out, in, spec) -> copy(out[0], in[0]));
    }

    /** Writes {@code src}, broadcast to {@code dst}'s shape and converted to its dtype, into {@code dst}. */
    static void copy(Tensor dst, Tensor src) {
        long n = dst.numel();
        if (n == 0) return;
        DType sd = src.dtype(), dd = dst.dtype();
        MemorySegment s = src.segment(), d = dst.segment();
        if (sd == dd && src.isContiguous() && dst.isContiguous() && Arrays.equals(src.shape(), dst.shape())) {
            long bytes = n * sd.byteSize();
            MemorySegment.copy(s, src.offset() * sd.byteSize(), d, dst.offset() * dd.byteSize(), bytes);
            return;
        }
        boolean exactInts = !sd.isFloating() && !dd.isFloating();
        if (!exactInts && src.isContiguous() && dst.isContiguous() && Arrays.equals(src.shape(), dst.shape())) {
            ContiguousCast.run(s, sd, src.offset(), d, dd, dst.offset(), n);
            return;
        }
        StridedIndex ix = new StridedIndex(dst.shape(), dst, src);
        int inner = ix.inner;
        CpuParallel.forRange(ix.rows, Math.max(1, 32768 / Math.max(inner, 1)), (r0, r1) -> {
            long ds = ix.innerStride(0), ss = ix.innerStride(1);
            for (long row = r0; row < r1; row++) {
                long od = ix.rowStart(0, row), os = ix.rowStart(1, row);
                if (sd == DType.F32 && dd == DType.F32) {
                    for (int i = 0; i < inner; i++) {
                        d.setAtIndex(ValueLayout.JAVA_FLOAT, od + i * ds, s.getAtIndex(ValueLayout.JAVA_FLOAT, os + i * ss));
                    }
                } else if (exactInts) {
                    for (int i = 0; i < inner; i++) ElementIO.setLong(d, dd, od + i * ds, ElementIO.getLong(s, sd, os + i * ss));
                } else {
                    for (int i = 0; i < inner; i++) ElementIO.set(d, dd, od + i * ds, ElementIO.get(s, sd, os + i * ss));
                }
            }
        });
    }
}
