package dev.ember.cpu.kernels;

import dev.ember.core.DType;
import dev.ember.core.Tensor;
import dev.ember.core.backend.KernelTable;
import dev.ember.core.ops.CreationOps;
import dev.ember.core.ops.CreationOps.RandomAttrs;
import dev.ember.core.random.CounterHash;
import dev.ember.cpu.CpuParallel;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.EnumSet;

/** fill, ranges and counter-based random draws. */
final class CreationKernels {

    private CreationKernels() {}

    static void register(KernelTable t) {
        EnumSet<DType> all = EnumSet.allOf(DType.class);
        t.register(CreationOps.FILL, all, (out, in, a) -> fill(out[0], a.value()));
        t.register(CreationOps.RANGE, all, (out, in, a) -> {
            Tensor o = out[0];
            MemorySegment s = o.segment();
            int n = a.count();
            for (int i = 0; i < n; i++) {
                double v = a.fromBothEnds() && i >= n / 2 ? a.end() - (n - 1 - i) * a.step() : a.start() + i * a.step();
                ElementIO.set(s, o.dtype(), i, v);
            }
        });
        t.register(CreationOps.RANDOM, all, (out, in, a) -> random(out[0], a));
    }

    static void fill(Tensor o, double v) {
        MemorySegment s = o.segment();
        long n = o.numel();
        if (n == 0) return;
        long bytes = n * o.dtype().byteSize();
        if (v == 0 && Double.doubleToRawLongBits(v) == 0) {
            s.asSlice(0, bytes).fill((byte) 0);
            return;
        }
        ElementIO.set(s, o.dtype(), 0, v);
        // double the filled prefix until done: a handful of bulk copies instead of n element writes
        long done = o.dtype().byteSize();
        while (done < bytes) {
            long len = Math.min(done, bytes - done);
            MemorySegment.copy(s, 0, s, done, len);
            done += len;
        }
    }

    private static void random(Tensor o, RandomAttrs a) {
        MemorySegment s = o.segment();
        DType d = o.dtype();
        long seed = a.seed(), base = a.offset();
        CpuParallel.forRange(o.numel(), 16384, (i0, i1) -> {
            for (long i = i0; i < i1; i++) {
                long c = base + i;
                switch (a.kind()) {
                    case UNIFORM -> {
                        if (d == DType.F32) s.setAtIndex(ValueLayout.JAVA_FLOAT, i, CounterHash.uniformFloat(seed, c));
                        else ElementIO.set(s, d, i, d == DType.F64 ? CounterHash.uniformDouble(seed, c) : CounterHash.uniformFloat(seed, c));
                    }
                    case NORMAL -> ElementIO.set(s, d, i, CounterHash.normal(seed, c));
                    case INTEGER -> ElementIO.setLong(s, d, i, CounterHash.integer(seed, c, a.low(), a.high()));
                }
            }
        });
    }
}
