package dev.ember.cpu.kernels;

import dev.ember.core.backend.KernelTable;

/** The CPU backend's kernel table: each family registers its kernels here. */
public final class CpuKernels {

    private CpuKernels() {}

    public static KernelTable table() {
        KernelTable t = new KernelTable();
        CopyKernels.register(t);
        CreationKernels.register(t);
        ElementwiseKernels.register(t);
        ReductionKernels.register(t);
        IndexingKernels.register(t);
        LinalgKernels.register(t);
        ConvKernels.register(t);
        FusedConvKernels.register(t);
        PoolingKernels.register(t);
        NormKernels.register(t);
        OptimizerKernels.register(t);
        return t;
    }
}
