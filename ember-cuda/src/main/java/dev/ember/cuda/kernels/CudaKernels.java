package dev.ember.cuda.kernels;

import dev.ember.core.backend.KernelTable;
import dev.ember.cuda.CudaBackend;

/**
 * The CUDA backend's kernel table: each family registers its ops. An op without a kernel here
 * decomposes (composite ops) or fails with an error naming the op, dtype and backend; nothing is
 * silently computed on the CPU.
 */
public final class CudaKernels {

    private CudaKernels() {}

    public static KernelTable table(CudaBackend backend) {
        KernelTable t = new KernelTable();
        CopyKernels.register(t, backend);
        CreationKernels.register(t, backend);
        ElementwiseKernels.register(t, backend);
        ReductionKernels.register(t, backend);
        LinalgKernels.register(t, backend);
        IndexingKernels.register(t, backend);
        PoolingKernels.register(t, backend);
        return t;
    }
}
