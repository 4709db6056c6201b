package dev.ember.cuda.kernels;

import dev.ember.core.DType;
import dev.ember.core.Device;
import dev.ember.core.Tensor;
import dev.ember.core.backend.KernelTable;
import dev.ember.core.ops.IndexingOps;
import dev.ember.cuda.CudaBackend;
import dev.ember.cuda.CudaDevice;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.EnumSet;

/**
 * index_select (and so embedding) and index_add (the embedding gradient) from index.cu. The
 * kernels raise a device flag on an out-of-range index, which becomes an exception here.
 */
final class IndexingKernels {

    private IndexingKernels() {}

    static void register(KernelTable t, CudaBackend b) {
        t.register(IndexingOps.INDEX_SELECT, EnumSet.allOf(DType.class), (out, in, a) -> {
            Tensor y = out[0], x = in[0], index = in[1];
            int dim = a.dim();
            long n = y.numel();
            if (n == 0) return;
            long[] oi = outerInner(x.shape(), dim);
            String w = switch (x.dtype().byteSize()) { // a bitwise copy: the dtype only sets the width
                case 1 -> "u8";
                case 2 -> "f16";
                case 4 -> "f32";
                default -> "f64";
            };
            checked(b, y.device(), "index_select", x, index, dim, flag -> Launch.device(b, y).launch("index_select_" + w,
                    Launch.grid(n), Launch.BLOCK, 0, oi[0], (long) x.shape(dim), oi[1], (long) index.numel(), Launch.ptr(x),
                    Launch.ptr(index), Launch.ptr(y), flag));
        });
        t.register(IndexingOps.INDEX_ADD, EnumSet.of(DType.F32, DType.F64), (out, in, a) -> {
            Tensor y = out[0], x = in[0], index = in[1], src = in[2];
            int dim = a.dim();
            CopyKernels.copy(b, y, x);
            long n = src.numel();
            if (n == 0) return;
            long[] oi = outerInner(x.shape(), dim);
            checked(b, y.device(), "index_add", x, index, dim, flag -> Launch.device(b, y).launch("index_add_" + Launch.name(x.dtype()),
                    Launch.grid(n), Launch.BLOCK, 0, oi[0], (long) x.shape(dim), (long) index.numel(), oi[1], Launch.ptr(src),
                    Launch.ptr(index), Launch.ptr(y), flag));
        });
    }

    private static long[] outerInner(int[] shape, int dim) {
        long outer = 1, inner = 1;
        for (int i = 0; i < dim; i++) outer *= shape[i];
        for (int i = dim + 1; i < shape.length; i++) inner *= shape[i];
        return new long[] {outer, inner};
    }

    /** Runs {@code launch} with a zeroed device flag and throws if a kernel raised it. */
    private static void checked(CudaBackend b, Device d, String op, Tensor x, Tensor index, int dim, java.util.function.LongConsumer launch) {
        CudaDevice dev = b.device(d);
        MemorySegment flag = dev.allocator().allocate(4);
        try {
            dev.makeCurrent();
            dev.driver().memsetD8Async(flag.address(), (byte) 0, 4, dev.stream().handle());
            launch.accept(flag.address());
            try (Arena a = Arena.ofConfined()) {
                MemorySegment host = a.allocate(4);
                dev.copyToHost(flag.address(), host, 0, 4);
                if (host.get(ValueLayout.JAVA_INT, 0) != 0) {
                    throw new IndexOutOfBoundsException(op + ": an index is out of range for dimension " + dim + " of size "
                            + x.shape(dim) + " (input shape " + Arrays.toString(x.shape()) + ", index shape "
                            + Arrays.toString(index.shape()) + ")");
                }
            }
        } finally {
            dev.allocator().release(flag, 4);
        }
    }
}
