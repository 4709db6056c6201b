package dev.ember.cpu.kernels;

import dev.ember.core.backend.KernelTable;

final class IndexingKernels {
    private IndexingKernels() {}

    static void register(KernelTable t) {
    }
}
