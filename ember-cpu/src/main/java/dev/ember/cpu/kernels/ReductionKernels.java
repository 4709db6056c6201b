package dev.ember.cpu.kernels;

import dev.ember.core.backend.KernelTable;

final class ReductionKernels {
    private ReductionKernels() {}

    static void register(KernelTable t) {
    }
}
