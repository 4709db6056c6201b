package dev.ember.cuda.kernels;

import dev.ember.core.DType;
import dev.ember.core.Tensor;
import dev.ember.core.backend.KernelTable;
import dev.ember.core.ops.TensorOps;
import dev.ember.cuda.CudaBackend;

import java.util.EnumSet;

/** cast (to a contiguous output) and copy_into (to any strides) from cast.cu. */
final class CopyKernels {

    private CopyKernels() {}

    static void register(KernelTable t, CudaBackend b) {
        EnumSet<DType> all = EnumSet.allOf(DType.class);
        t.register(TensorOps.CAST, all, (out, in, to) -> copy(b, out[0], in[0]));
        t.register(TensorOps.COPY_INTO, all, (out, in, spec) -> copy(b, out[0], in[0]));
    }

    /** dst[i] = convert(src broadcast to dst's shape)[i], for any strides of both. */
    static void copy(CudaBackend b, Tensor dst, Tensor src) {
        long n = dst.numel();
        if (n == 0) return;
        var dev = Launch.device(b, dst);
        if (src.dtype() == dst.dtype() && src.isContiguous() && dst.isContiguous() && src.numel() == n) {
            dev.copyDeviceToDevice(Launch.ptr(dst), Launch.ptr(src), n * dst.dtype().byteSize());
            return;
        }
        int[] shape = dst.shape();
        String kernel = src.dtype() == dst.dtype()
                ? "cast_copy_" + switch (dst.dtype().byteSize()) {
                    case 1 -> "u8";
                    case 2 -> "f16";
                    case 4 -> "f32";
                    default -> "i64";
                }
                : "cast_" + Launch.name(src.dtype()) + "_" + Launch.name(dst.dtype());
        dev.launch(kernel, Launch.grid(n), Launch.BLOCK, 0, n,
                Launch.layout(shape, Launch.broadcastStrides(shape, src), dst.strides()), Launch.ptr(src), Launch.ptr(dst));
    }
}
