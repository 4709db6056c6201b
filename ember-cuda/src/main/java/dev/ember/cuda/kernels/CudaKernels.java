package dev.ember.cuda.kernels;

import dev.ember.core.backend.KernelTable;
import dev.ember.cuda.CudaBackend;

/** The CUDA backend's kernel table: each family registers its ops. */
public final class CudaKernels {

    private CudaKernels() {}

    public static KernelTable table(CudaBackend backend) {
        KernelTable t = new KernelTable();
        return t;
    }
}
