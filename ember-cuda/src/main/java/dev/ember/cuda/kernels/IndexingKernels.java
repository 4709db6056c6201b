package dev.ember.cuda.kernels;

import dev.ember.core.DType;
import dev.ember.core.Device;
import dev.ember.core.Tensor;
import dev.ember.core.backend.KernelTable;
import dev.ember.core.ops.IndexingOps;
import dev.ember.core.ops.PadAttrs;
import dev.ember.core.ops.PadBackwardAttrs;
import dev.ember.cuda.CudaBackend;
import dev.ember.cuda.CudaDevice;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;

/**
 * index_select (and so embedding), index_add (the embedding gradient), gather, scatter_add,
 * reflect / replicate padding and its gradient, and one_hot, from index.cu. The kernels raise a
 * device flag on an out-of-range index, which becomes an exception here.
 */
final class IndexingKernels {

    private IndexingKernels() {}

    static void register(KernelTable t, CudaBackend b) {
        Set<DType> floats = EnumSet.of(DType.F32, DType.F64);
        t.register(IndexingOps.GATHER, EnumSet.allOf(DType.class), (out, in, a) -> gather(b, out[0], in[0], in[1], a.dim()));
        t.register(IndexingOps.SCATTER_ADD, floats, (out, in, a) -> scatterAdd(b, out[0], in[0], in[1], in[2], a.dim()));
        t.register(IndexingOps.PAD, EnumSet.allOf(DType.class), (out, in, a) -> pad(b, out[0], in[0], a));
        t.register(IndexingOps.PAD_BACKWARD, floats, (out, in, a) -> padBackward(b, out[0], in[0], a));
        t.register(IndexingOps.ONE_HOT, DType.I64, (out, in, classes) -> oneHot(b, out[0], in[0], classes));
        t.register(IndexingOps.INDEX_SELECT, EnumSet.allOf(DType.class), (out, in, a) -> {
            Tensor y = out[0], x = in[0], index = in[1];
            int dim = a.dim();
            long n = y.numel();
            if (n == 0) return;
            long[] oi = outerInner(x.shape(), dim);
            String w = width(x.dtype());
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

    private static void gather(CudaBackend b, Tensor y, Tensor x, Tensor index, int dim) {
        long n = index.numel();
        if (n == 0) return;
        long[] xs = Launch.contiguousStrides(x.shape());
        long dimStride = xs[dim];
        xs[dim] = 0;
        MemorySegment layout = Launch.layout(index.shape(), xs);
        checked(b, y.device(), "gather", x, index, dim, flag -> Launch.device(b, y).launch("index_gather_" + width(x.dtype()),
                Launch.grid(n), Launch.BLOCK, 0, n, layout, (long) x.shape(dim), dimStride, Launch.ptr(x), Launch.ptr(index),
                Launch.ptr(y), flag));
    }

    private static void scatterAdd(CudaBackend b, Tensor y, Tensor x, Tensor index, Tensor src, int dim) {
        CopyKernels.copy(b, y, x);
        long n = index.numel();
        if (n == 0) return;
        long[] ys = Launch.contiguousStrides(y.shape());
        long dimStride = ys[dim];
        ys[dim] = 0;
        MemorySegment layout = Launch.layout(index.shape(), ys, Launch.contiguousStrides(src.shape()));
        checked(b, y.device(), "scatter_add", x, index, dim, flag -> Launch.device(b, y).launch("index_scatter_add_"
                + Launch.name(x.dtype()), Launch.grid(n), Launch.BLOCK, 0, n, layout, (long) y.shape(dim), dimStride,
                Launch.ptr(src), Launch.ptr(index), Launch.ptr(y), flag));
    }

    /**
     * The Layout of index_pad: the padded shape, the input's strides, the padding before each
     * dimension and the input's sizes.
     */
    private static MemorySegment padLayout(int[] inShape, PadAttrs a) {
        int[] padded = a.paddedShape(inShape);
        long[] before = new long[inShape.length], sizes = new long[inShape.length];
        for (int d = 0; d < inShape.length; d++) {
            before[d] = a.before(d, inShape.length);
            sizes[d] = inShape[d];
        }
        return Launch.layout(padded, Launch.contiguousStrides(inShape), before, sizes);
    }

    private static int padMode(PadAttrs a) {
        return switch (a.mode()) {
            case REFLECT -> 1;
            case REPLICATE -> 2;
            case CONSTANT -> throw new IllegalArgumentException("pad: constant padding is the portable op constant_pad, not pad");
        };
    }

    private static void pad(CudaBackend b, Tensor y, Tensor x, PadAttrs a) {
        long n = y.numel();
        if (n == 0) return;
        Launch.device(b, y).launch("index_pad_" + width(y.dtype()), Launch.grid(n), Launch.BLOCK, 0, n,
                padLayout(x.shape(), a), padMode(a), Launch.ptr(x), Launch.ptr(y));
    }

    private static void padBackward(CudaBackend b, Tensor gx, Tensor g, PadBackwardAttrs a) {
        CreationKernels.fill(b, gx, 0);
        long n = g.numel();
        if (n == 0 || gx.numel() == 0) return;
        Launch.device(b, gx).launch("index_pad_backward_" + Launch.name(gx.dtype()), Launch.grid(n), Launch.BLOCK, 0, n,
                padLayout(a.inputShape(), a.pad()), padMode(a.pad()), Launch.ptr(g), Launch.ptr(gx));
    }

    private static void oneHot(CudaBackend b, Tensor y, Tensor index, int classes) {
        CreationKernels.fill(b, y, 0);
        long n = index.numel();
        if (n == 0) return;
        flagged(b, y.device(), () -> "one_hot: an index of the indices of shape " + Arrays.toString(index.shape())
                + " is out of bounds for " + classes + " classes", flag -> Launch.device(b, y).launch("index_one_hot",
                Launch.grid(n), Launch.BLOCK, 0, n, (long) classes, Launch.ptr(index), Launch.ptr(y), flag));
    }

    /** Kernels that only move elements are named by element width. */
    private static String width(DType d) {
        return switch (d.byteSize()) {
            case 1 -> "u8";
            case 2 -> "f16";
            case 4 -> "f32";
            default -> "f64";
        };
    }

    private static long[] outerInner(int[] shape, int dim) {
        long outer = 1, inner = 1;
        for (int i = 0; i < dim; i++) outer *= shape[i];
        for (int i = dim + 1; i < shape.length; i++) inner *= shape[i];
        return new long[] {outer, inner};
    }

    private static void checked(CudaBackend b, Device d, String op, Tensor x, Tensor index, int dim, java.util.function.LongConsumer launch) {
        flagged(b, d, () -> op + ": an index is out of range for dimension " + dim + " of size " + x.shape(dim) + " (input shape "
                + Arrays.toString(x.shape()) + ", index shape " + Arrays.toString(index.shape()) + ")", launch);
    }

    /** Runs {@code launch} with a zeroed device flag and throws {@code message} if a kernel raised it. */
    private static void flagged(CudaBackend b, Device d, java.util.function.Supplier<String> message, java.util.function.LongConsumer launch) {
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
                    throw new IndexOutOfBoundsException(message.get());
                }
            }
        } finally {
            dev.allocator().release(flag, 4);
        }
    }
}
