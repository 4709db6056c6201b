package dev.ember.cuda.kernels;

import dev.ember.core.DType;
import dev.ember.core.Tensor;
import dev.ember.core.backend.KernelTable;
import dev.ember.core.ops.CreationOps;
import dev.ember.cuda.CudaBackend;

import java.util.EnumSet;

/** fill, ranges and counter-based random draws (bit-identical to the CPU's) from creation.cu. */
final class CreationKernels {

    private CreationKernels() {}

    static void register(KernelTable t, CudaBackend b) {
        t.register(CreationOps.FILL, EnumSet.allOf(DType.class), (out, in, a) -> fill(b, out[0], a.value()));
        t.register(CreationOps.RANGE, EnumSet.allOf(DType.class), (out, in, a) -> {
            Tensor o = out[0];
            long n = o.numel();
            if (n == 0) return;
            Launch.device(b, o).launch("creation_range_" + Launch.name(o.dtype()), Launch.grid(n), Launch.BLOCK, 0,
                    n, Launch.ptr(o), a.start(), a.step(), a.end(), a.fromBothEnds() ? 1 : 0);
        });
        t.register(CreationOps.RANDOM, EnumSet.complementOf(EnumSet.of(DType.BOOL)), (out, in, a) -> {
            Tensor o = out[0];
            long n = o.numel();
            if (n == 0) return;
            Launch.device(b, o).launch("creation_random_" + Launch.name(o.dtype()), Launch.grid(n), Launch.BLOCK, 0,
                    n, Launch.ptr(o), a.kind().ordinal(), a.seed(), a.offset(), a.low(), a.high());
        });
    }

    static void fill(CudaBackend b, Tensor o, double v) {
        long n = o.numel();
        if (n == 0) return;
        var dev = Launch.device(b, o);
        if (v == 0 && Double.doubleToRawLongBits(v) == 0) {
            dev.makeCurrent();
            dev.driver().memsetD8Async(Launch.ptr(o), (byte) 0, n * o.dtype().byteSize(), dev.stream().handle());
            return;
        }
        Object value = o.dtype() == DType.I64 ? (Object) (long) v : (Object) v;
        dev.launch("creation_fill_" + Launch.name(o.dtype()), Launch.grid(n), Launch.BLOCK, 0, n, Launch.ptr(o), value);
    }
}
