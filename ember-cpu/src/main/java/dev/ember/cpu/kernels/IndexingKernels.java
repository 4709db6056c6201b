package dev.ember.cpu.kernels;

import dev.ember.core.DType;
import dev.ember.core.Shapes;
import dev.ember.core.Tensor;
import dev.ember.core.backend.KernelTable;
import dev.ember.core.ops.DimAttrs;
import dev.ember.core.ops.IndexingOps;
import dev.ember.core.ops.PadAttrs;
import dev.ember.core.ops.PadBackwardAttrs;
import dev.ember.core.ops.PadMode;
import dev.ember.cpu.CpuParallel;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.EnumSet;
import java.util.Set;

/**
 * Kernels for gather / scatter-add / index-select / index-add / cat / pad / one-hot. Ops that
 * only move elements (gather, index_select, cat, pad) work on raw element bytes, so one kernel
 * serves every dtype, f16 and bool included; the accumulating ones (scatter_add, index_add,
 * pad_backward) have f32, f64 and integer loops. Inputs arrive contiguous (possibly with an
 * offset). Indices are checked in one serial pass before any parallel work, so a bad index
 * fails with the op's own message rather than one rewrapped by the thread pool.
 */
final class IndexingKernels {

    private IndexingKernels() {}

    private static final long GRAIN = 16384;
    private static final Set<DType> ALL = EnumSet.allOf(DType.class);
    private static final Set<DType> ACCUMULATING = EnumSet.of(DType.F32, DType.F64, DType.I32, DType.I64);

    static void register(KernelTable t) {
        t.register(IndexingOps.GATHER, ALL, (out, in, a) -> gather(out[0], in[0], in[1], a.dim()));
        t.register(IndexingOps.SCATTER_ADD, ACCUMULATING, (out, in, a) -> scatterAdd(out[0], in[0], in[1], in[2], a.dim()));
        t.register(IndexingOps.INDEX_SELECT, ALL, (out, in, a) -> indexSelect(out[0], in[0], in[1], a.dim()));
        t.register(IndexingOps.INDEX_ADD, ACCUMULATING, (out, in, a) -> indexAdd(out[0], in[0], in[1], in[2], a.dim()));
        t.register(IndexingOps.CAT, ALL, (out, in, a) -> cat(out[0], in, a.dim()));
        t.register(IndexingOps.PAD, ALL, (out, in, a) -> pad(out[0], in[0], a));
        t.register(IndexingOps.PAD_BACKWARD, ACCUMULATING, (out, in, a) -> padBackward(out[0], in[0], a));
        t.register(IndexingOps.ONE_HOT, DType.I64, (out, in, n) -> oneHot(out[0], in[0], n));
    }

    // ---------------------------------------------------------------- gather / scatter_add

    /**
     * Index of shape [O, K, I] around {@code dim}: {@code out[o, k, i] = x[o, index[o, k, i], i]},
     * where o and i are coordinates of the index's leading and trailing dimensions placed in x.
     */
    static void gather(Tensor out, Tensor x, Tensor index, int dim) {
        long n = index.numel();
        if (n == 0) return;
        int[] is = index.shape();
        checkIndices("gather", index, x.shape(dim), dim);
        Around ax = new Around(is, dim);
        Placement px = new Placement(is, dim, x);
        int bs = x.dtype().byteSize();
        MemorySegment xs = x.segment(), ixs = index.segment(), os = out.segment();
        long xo = x.offset(), io = index.offset();
        long xDim = px.dimStride;
        CpuParallel.forRange(ax.outer * ax.k, Math.max(1, GRAIN / ax.inner), (r0, r1) -> {
            for (long r = r0; r < r1; r++) {
                long o = r / ax.k;
                long xBase = xo + px.outerOffset(o);
                long ib = io + r * ax.inner, ob = r * ax.inner;
                for (int i = 0; i < ax.inner; i++) {
                    long src = xBase + ixs.getAtIndex(ValueLayout.JAVA_LONG, ib + i) * xDim + px.innerOffset(i);
                    copyElement(xs, src, os, ob + i, bs);
                }
            }
        });
    }

    /** A copy of x, then {@code out[o, index[o, k, i], i] += src[o, k, i]} with k ascending per target. */
    static void scatterAdd(Tensor out, Tensor x, Tensor index, Tensor src, int dim) {
        copyWhole(out, x);
        long n = index.numel();
        if (n == 0) return;
        int[] is = index.shape();
        checkIndices("scatter_add", index, x.shape(dim), dim);
        Around ax = new Around(is, dim);
        Placement po = new Placement(is, dim, out);
        Placement ps = new Placement(is, dim, src);
        DType d = out.dtype();
        MemorySegment os = out.segment(), ss = src.segment(), ixs = index.segment();
        long so = src.offset(), io = index.offset();
        long I = ax.inner, K = ax.k;
        // each (o, i) column owns its targets, so columns run in parallel and each column is serial
        CpuParallel.forRange(ax.outer * I, Math.max(1, GRAIN / K), (p0, p1) -> {
            long p = p0;
            while (p < p1) {
                long o = p / I;
                int i0 = (int) (p % I);
                int i1 = (int) Math.min(I, i0 + (p1 - p));
                long oBase = po.outerOffset(o), sBase = so + ps.outerOffset(o);
                for (long k = 0; k < K; k++) {
                    long ib = io + (o * K + k) * I;
                    long sk = sBase + k * ps.dimStride;
                    for (int i = i0; i < i1; i++) {
                        long t = oBase + ixs.getAtIndex(ValueLayout.JAVA_LONG, ib + i) * po.dimStride + po.innerOffset(i);
                        addElement(os, t, ss, sk + ps.innerOffset(i), d);
                    }
                }
                p += i1 - i0;
            }
        });
    }

    /** Sizes of the index around {@code dim}: outer (before), k (along), inner (after). */
    private static final class Around {
        final long outer;
        final long k;
        final int inner;

        Around(int[] shape, int dim) {
            long o = 1, in = 1;
            for (int d = 0; d < dim; d++) o *= shape[d];
            for (int d = dim + 1; d < shape.length; d++) in *= shape[d];
            this.outer = o;
            this.k = shape[dim];
            this.inner = (int) in;
        }
    }

    /**
     * Where coordinates of the index's shape fall in a contiguous tensor of the same rank that
     * may be larger in every dimension: offsets for the leading coordinates (computed per
     * row) and the trailing ones (a table, or the identity when the trailing shapes agree).
     */
    private static final class Placement {
        final int[] indexShape;
        final long[] strides;
        final int dim;
        final long dimStride;
        final long[] innerTable;

        Placement(int[] indexShape, int dim, Tensor t) {
            this.indexShape = indexShape;
            this.dim = dim;
            this.strides = Shapes.contiguousStrides(t.shape());
            this.dimStride = strides[dim];
            int[] ts = t.shape();
            boolean same = true;
            for (int d = dim + 1; d < indexShape.length; d++) same &= indexShape[d] == ts[d];
            if (same) {
                innerTable = null;
            } else {
                long inner = 1;
                for (int d = dim + 1; d < indexShape.length; d++) inner *= indexShape[d];
                innerTable = new long[(int) inner];
                for (int i = 0; i < inner; i++) {
                    long rem = i, off = 0;
                    for (int d = indexShape.length - 1; d > dim; d--) {
                        off += (rem % indexShape[d]) * strides[d];
                        rem /= indexShape[d];
                    }
                    innerTable[i] = off;
                }
            }
        }

        long outerOffset(long o) {
            long off = 0;
            for (int d = dim - 1; d >= 0 && o > 0; d--) {
                off += (o % indexShape[d]) * strides[d];
                o /= indexShape[d];
            }
            return off;
        }

        long innerOffset(int i) { return innerTable == null ? i : innerTable[i]; }
    }

    // ---------------------------------------------------------------- index_select / index_add

    /** x as [O, X, I] around dim: {@code out[o, j, :] = x[o, index[j], :]}. */
    static void indexSelect(Tensor out, Tensor x, Tensor index, int dim) {
        if (out.numel() == 0) return;
        checkIndices("index_select", index, x.shape(dim), dim);
        int[] xs = x.shape();
        long outer = 1, inner = 1;
        for (int d = 0; d < dim; d++) outer *= xs[d];
        for (int d = dim + 1; d < xs.length; d++) inner *= xs[d];
        long X = xs[dim], J = index.numel(), I = inner;
        int bs = x.dtype().byteSize();
        long[] idx = readIndices(index);
        MemorySegment src = x.segment(), dst = out.segment();
        long xo = x.offset();
        CpuParallel.forRange(outer * J, Math.max(1, GRAIN / I), (r0, r1) -> {
            for (long r = r0; r < r1; r++) {
                long o = r / J, j = r % J;
                copyElements(src, xo + (o * X + idx[(int) j]) * I, dst, r * I, I, bs);
            }
        });
    }

    /** A copy of x, then {@code out[o, index[j], :] += src[o, j, :]} with j ascending. */
    static void indexAdd(Tensor out, Tensor x, Tensor index, Tensor src, int dim) {
        copyWhole(out, x);
        if (src.numel() == 0) return;
        checkIndices("index_add", index, x.shape(dim), dim);
        int[] xs = x.shape();
        long outer = 1, inner = 1;
        for (int d = 0; d < dim; d++) outer *= xs[d];
        for (int d = dim + 1; d < xs.length; d++) inner *= xs[d];
        long X = xs[dim], J = index.numel(), I = inner;
        long[] idx = readIndices(index);
        DType d = out.dtype();
        MemorySegment os = out.segment(), ss = src.segment();
        long so = src.offset();
        // columns (o, i) own their targets; repeated indices accumulate serially within a column
        CpuParallel.forRange(outer * I, Math.max(1, GRAIN / J), (p0, p1) -> {
            long p = p0;
            while (p < p1) {
                long o = p / I, i0 = p % I, i1 = Math.min(I, i0 + (p1 - p));
                for (long j = 0; j < J; j++) {
                    long t = (o * X + idx[(int) j]) * I, s = so + (o * J + j) * I;
                    addRow(os, t, ss, s, i0, i1, d);
                }
                p += i1 - i0;
            }
        });
    }

    // ---------------------------------------------------------------- cat

    static void cat(Tensor out, Tensor[] in, int dim) {
        if (out.numel() == 0) return;
        int[] os = out.shape();
        long outer = 1, inner = 1;
        for (int d = 0; d < dim; d++) outer *= os[d];
        for (int d = dim + 1; d < os.length; d++) inner *= os[d];
        int bs = out.dtype().byteSize();
        long rowBytes = os[dim] * inner * bs;
        long[] blockBytes = new long[in.length], startBytes = new long[in.length];
        long off = 0;
        for (int k = 0; k < in.length; k++) {
            blockBytes[k] = in[k].shape(dim) * inner * bs;
            startBytes[k] = off;
            off += blockBytes[k];
        }
        MemorySegment dst = out.segment();
        CpuParallel.forRange(outer, Math.max(1, (GRAIN * 4) / Math.max(1, rowBytes)), (o0, o1) -> {
            for (int k = 0; k < in.length; k++) {
                long b = blockBytes[k];
                if (b == 0) continue;
                MemorySegment src = in[k].segment();
                long base = in[k].offset() * bs;
                for (long o = o0; o < o1; o++) MemorySegment.copy(src, base + o * b, dst, o * rowBytes + startBytes[k], b);
            }
        });
    }

    // ---------------------------------------------------------------- pad (reflect / replicate)

    /**
     * For every dimension, the input coordinate each output coordinate copies (the identity for
     * unpadded dimensions).
     */
    private static int[][] padMaps(int[] inShape, PadAttrs a) {
        int rank = inShape.length;
        int[][] maps = new int[rank][];
        for (int d = 0; d < rank; d++) {
            int n = inShape[d], before = a.before(d, rank), after = a.after(d, rank);
            int[] m = new int[n + before + after];
            for (int j = 0; j < m.length; j++) {
                int c = j - before;
                if (a.mode() == PadMode.REFLECT) {
                    if (c < 0) c = -c;
                    else if (c >= n) c = 2 * (n - 1) - c;
                } else {
                    c = Math.clamp(c, 0, n - 1);
                }
                m[j] = c;
            }
            maps[d] = m;
        }
        return maps;
    }

    static void pad(Tensor out, Tensor x, PadAttrs a) {
        if (out.numel() == 0) return;
        int[] xsh = x.shape();
        if (xsh.length == 0) {
            copyWhole(out, x);
            return;
        }
        int rank = xsh.length;
        int[][] maps = padMaps(xsh, a);
        long[] xst = Shapes.contiguousStrides(xsh);
        int[] osh = out.shape();
        int L = osh[rank - 1];
        long rows = out.numel() / L;
        int bs = x.dtype().byteSize();
        MemorySegment src = x.segment(), dst = out.segment();
        long xo = x.offset();
        int[] last = maps[rank - 1];
        CpuParallel.forRange(rows, Math.max(1, GRAIN / L), (r0, r1) -> {
            for (long r = r0; r < r1; r++) {
                long base = xo + sourceRow(r, osh, maps, xst);
                for (int j = 0; j < L; j++) copyElement(src, base + last[j], dst, r * L + j, bs);
            }
        });
    }

    /**
     * Sums each output gradient into the input position it copied. Rows that differ in a
     * leading unpadded coordinate never collide, so those groups run in parallel.
     */
    static void padBackward(Tensor gin, Tensor g, PadBackwardAttrs attrs) {
        zero(gin);
        if (g.numel() == 0 || gin.numel() == 0) return;
        int[] xsh = attrs.inputShape();
        PadAttrs a = attrs.pad();
        DType d = gin.dtype();
        MemorySegment gs = g.segment(), os = gin.segment();
        long go = g.offset();
        if (xsh.length == 0) {
            addElement(os, 0, gs, go, d);
            return;
        }
        int rank = xsh.length;
        int[][] maps = padMaps(xsh, a);
        long[] xst = Shapes.contiguousStrides(xsh);
        int[] gsh = g.shape();
        int L = gsh[rank - 1];
        int firstPadded = rank - 1;
        for (int k = 0; k < rank; k++) {
            if (a.before(k, rank) != 0 || a.after(k, rank) != 0) {
                firstPadded = k;
                break;
            }
        }
        long groups = 1;
        for (int k = 0; k < Math.min(firstPadded, rank - 1); k++) groups *= gsh[k];
        long rowsPerGroup = (g.numel() / L) / groups;
        int[] last = maps[rank - 1];
        CpuParallel.forRange(groups, Math.max(1, GRAIN / (rowsPerGroup * L)), (g0, g1) -> {
            for (long r = g0 * rowsPerGroup; r < g1 * rowsPerGroup; r++) {
                long base = sourceRow(r, gsh, maps, xst);
                long gb = go + r * L;
                for (int j = 0; j < L; j++) addElement(os, base + last[j], gs, gb + j, d);
            }
        });
    }

    /** The input offset of the row that output row {@code r} copies (last coordinate excluded). */
    private static long sourceRow(long r, int[] outShape, int[][] maps, long[] xst) {
        long off = 0;
        for (int k = outShape.length - 2; k >= 0; k--) {
            off += maps[k][(int) (r % outShape[k])] * xst[k];
            r /= outShape[k];
        }
        return off;
    }

    // ---------------------------------------------------------------- one_hot

    static void oneHot(Tensor out, Tensor indices, int numClasses) {
        zero(out);
        long n = indices.numel();
        if (n == 0 || numClasses == 0) {
            if (n > 0) throw new IllegalArgumentException("one_hot: index " + readIndices(indices)[0] + " is out of bounds for 0 classes");
            return;
        }
        MemorySegment is = indices.segment(), os = out.segment();
        long io = indices.offset();
        for (long i = 0; i < n; i++) {
            long v = is.getAtIndex(ValueLayout.JAVA_LONG, io + i);
            if (v < 0 || v >= numClasses) {
                throw new IllegalArgumentException("one_hot: index " + v + " is out of bounds for " + numClasses + " classes");
            }
            os.setAtIndex(ValueLayout.JAVA_LONG, i * numClasses + v, 1L);
        }
    }

    // ---------------------------------------------------------------- helpers

    private static void checkIndices(String op, Tensor index, long size, int dim) {
        MemorySegment s = index.segment();
        long off = index.offset(), n = index.numel();
        for (long i = 0; i < n; i++) {
            long v = s.getAtIndex(ValueLayout.JAVA_LONG, off + i);
            if (v < 0 || v >= size) {
                throw new IllegalArgumentException(op + ": index " + v + " is out of bounds for dimension " + dim + " with size " + size);
            }
        }
    }

    private static long[] readIndices(Tensor index) {
        long off = index.offset() * 8;
        return index.segment().asSlice(off, index.numel() * 8).toArray(ValueLayout.JAVA_LONG);
    }

    private static void copyWhole(Tensor out, Tensor x) {
        long bytes = x.numel() * x.dtype().byteSize();
        if (bytes > 0) MemorySegment.copy(x.segment(), x.offset() * x.dtype().byteSize(), out.segment(), out.offset() * out.dtype().byteSize(), bytes);
    }

    private static void zero(Tensor t) {
        long bs = t.dtype().byteSize();
        t.segment().asSlice(t.offset() * bs, t.numel() * bs).fill((byte) 0);
    }

    /** Copies one element of {@code bs} bytes; indices are element indices. */
    private static void copyElement(MemorySegment src, long si, MemorySegment dst, long di, int bs) {
        switch (bs) {
            case 4 -> dst.setAtIndex(ValueLayout.JAVA_INT, di, src.getAtIndex(ValueLayout.JAVA_INT, si));
            case 8 -> dst.setAtIndex(ValueLayout.JAVA_LONG, di, src.getAtIndex(ValueLayout.JAVA_LONG, si));
            case 2 -> dst.setAtIndex(ValueLayout.JAVA_SHORT, di, src.getAtIndex(ValueLayout.JAVA_SHORT, si));
            default -> dst.set(ValueLayout.JAVA_BYTE, di, src.get(ValueLayout.JAVA_BYTE, si));
        }
    }

    /** Copies {@code n} consecutive elements; bulk copy once the block is big enough to pay for it. */
    private static void copyElements(MemorySegment src, long si, MemorySegment dst, long di, long n, int bs) {
        if (n * bs >= 64) {
            MemorySegment.copy(src, si * bs, dst, di * bs, n * bs);
        } else {
            for (long k = 0; k < n; k++) copyElement(src, si + k, dst, di + k, bs);
        }
    }

    /** {@code dst[di] += src[si]}. */
    private static void addElement(MemorySegment dst, long di, MemorySegment src, long si, DType d) {
        switch (d) {
            case F32 -> dst.setAtIndex(ValueLayout.JAVA_FLOAT, di,
                    dst.getAtIndex(ValueLayout.JAVA_FLOAT, di) + src.getAtIndex(ValueLayout.JAVA_FLOAT, si));
            case F64 -> dst.setAtIndex(ValueLayout.JAVA_DOUBLE, di,
                    dst.getAtIndex(ValueLayout.JAVA_DOUBLE, di) + src.getAtIndex(ValueLayout.JAVA_DOUBLE, si));
            case I32 -> dst.setAtIndex(ValueLayout.JAVA_INT, di,
                    dst.getAtIndex(ValueLayout.JAVA_INT, di) + src.getAtIndex(ValueLayout.JAVA_INT, si));
            case I64 -> dst.setAtIndex(ValueLayout.JAVA_LONG, di,
                    dst.getAtIndex(ValueLayout.JAVA_LONG, di) + src.getAtIndex(ValueLayout.JAVA_LONG, si));
            default -> throw new IllegalStateException("no accumulation for " + d);
        }
    }

    /** {@code dst[t + i] += src[s + i]} for i in [i0, i1). */
    private static void addRow(MemorySegment dst, long t, MemorySegment src, long s, long i0, long i1, DType d) {
        switch (d) {
            case F32 -> {
                for (long i = i0; i < i1; i++) {
                    dst.setAtIndex(ValueLayout.JAVA_FLOAT, t + i,
                            dst.getAtIndex(ValueLayout.JAVA_FLOAT, t + i) + src.getAtIndex(ValueLayout.JAVA_FLOAT, s + i));
                }
            }
            case F64 -> {
                for (long i = i0; i < i1; i++) {
                    dst.setAtIndex(ValueLayout.JAVA_DOUBLE, t + i,
                            dst.getAtIndex(ValueLayout.JAVA_DOUBLE, t + i) + src.getAtIndex(ValueLayout.JAVA_DOUBLE, s + i));
                }
            }
            default -> {
                for (long i = i0; i < i1; i++) addElement(dst, t + i, src, s + i, d);
            }
        }
    }
}
