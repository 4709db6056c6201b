package dev.ember.core.ops;

import dev.ember.core.DType;
import dev.ember.core.Shapes;
import dev.ember.core.Tensor;
import dev.ember.core.dispatch.Dispatcher;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Indexing, joining, splitting and padding. Index tensors are i64 (i32 and other integer
 * tensors are converted); an index out of range is an {@link IllegalArgumentException} naming
 * the op, the index and the dimension's size.
 *
 * <pre>{@code
 * Tensor table = Tensor.randn(Generator.seeded(0), 100, 16);
 * Tensor vecs = IndexingOps.embedding(table, Tensor.of(new long[] {3, 7, 3}, 3));   // [3, 16]
 * Tensor both = IndexingOps.cat(new Tensor[] {vecs, vecs}, 0);                      // [6, 16]
 * }</pre>
 */
public final class IndexingOps {

    private IndexingOps() {}

    public static final Op<DimAttrs> GATHER = new GatherOp();
    public static final Op<DimAttrs> SCATTER_ADD = new ScatterAddOp();
    public static final Op<DimAttrs> INDEX_SELECT = new IndexSelectOp();
    public static final Op<DimAttrs> INDEX_ADD = new IndexAddOp();
    public static final PortableOp<DimAttrs> CAT = new CatOp();
    public static final PortableOp<PadAttrs> CONSTANT_PAD = new ConstantPadOp();
    /** Reflect and replicate padding. */
    public static final Op<PadAttrs> PAD = new PadOp();
    public static final Op<PadBackwardAttrs> PAD_BACKWARD = new PadBackwardOp();
    public static final Op<Integer> ONE_HOT = new OneHotOp();
    public static final CompositeOp<NoAttrs> EMBEDDING = new EmbeddingOp();

    // ---------------------------------------------------------------- functions

    /**
     * Rows of {@code weight} ({@code [num, dim]}) at {@code indices} (any shape); the result has
     * shape {@code indices.shape + [dim]}.
     *
     * <pre>{@code
     * Tensor e = IndexingOps.embedding(weight, Tensor.of(new long[] {0, 2, 2, 1}, 2, 2));  // [2, 2, dim]
     * }</pre>
     */
    public static Tensor embedding(Tensor weight, Tensor indices) {
        return Dispatcher.call1(EMBEDDING, NoAttrs.INSTANCE, weight, asIndex("embedding", "indices", indices));
    }

    /**
     * Joins tensors along {@code dim}; all other dimensions must match. Dtypes are promoted as
     * for arithmetic. As in PyTorch, 1-d empty tensors are skipped.
     *
     * <pre>{@code
     * Tensor c = IndexingOps.cat(new Tensor[] {Tensor.zeros(2, 3), Tensor.ones(4, 3)}, 0);  // [6, 3]
     * }</pre>
     */
    public static Tensor cat(Tensor[] ts, int dim) {
        if (ts == null || ts.length == 0) throw new IllegalArgumentException("cat: expected at least one tensor, got none");
        for (int i = 0; i < ts.length; i++) if (ts[i] == null) throw new IllegalArgumentException("cat: tensor " + i + " is null");
        List<Tensor> kept = new ArrayList<>();
        for (Tensor t : ts) if (!(t.dim() == 1 && t.numel() == 0)) kept.add(t);
        if (kept.isEmpty()) kept.add(ts[0]);
        if (kept.getFirst().dim() == 0) {
            throw new IllegalArgumentException("cat: zero-dimensional tensors cannot be concatenated; use stack or unsqueeze first");
        }
        DType d = kept.getFirst().dtype();
        for (Tensor t : kept) d = DType.promote(d, t.dtype());
        Tensor[] in = new Tensor[kept.size()];
        for (int i = 0; i < in.length; i++) in[i] = kept.get(i).to(d);
        int axis = Shapes.axis("cat", dim, in[0].dim());
        return Dispatcher.call1(CAT, new DimAttrs(axis), in);
    }

    /**
     * Joins tensors of one shape along a new dimension {@code dim}.
     *
     * <pre>{@code
     * Tensor s = IndexingOps.stack(new Tensor[] {a, b, c}, 0);   // [3, ...a.shape]
     * }</pre>
     */
    public static Tensor stack(Tensor[] ts, int dim) {
        if (ts == null || ts.length == 0) throw new IllegalArgumentException("stack: expected at least one tensor, got none");
        for (int i = 0; i < ts.length; i++) {
            if (ts[i] == null) throw new IllegalArgumentException("stack: tensor " + i + " is null");
            if (!Arrays.equals(ts[i].shape(), ts[0].shape())) {
                throw new IllegalArgumentException("stack: tensor " + i + " has shape " + Arrays.toString(ts[i].shape())
                        + " but tensor 0 has shape " + Arrays.toString(ts[0].shape()) + "; all must have the same shape");
            }
        }
        int axis = Shapes.axis("stack", dim, ts[0].dim() + 1);
        Tensor[] u = new Tensor[ts.length];
        for (int i = 0; i < ts.length; i++) u[i] = ts[i].unsqueeze(axis);
        return cat(u, axis);
    }

    /**
     * Views of consecutive pieces of {@code splitSize} along {@code dim} (the last may be smaller).
     *
     * <pre>{@code
     * Tensor[] parts = IndexingOps.split(Tensor.zeros(5, 2), 2, 0);   // [2, 2], [2, 2], [1, 2]
     * }</pre>
     */
    public static Tensor[] split(Tensor x, int splitSize, int dim) {
        int axis = axisOf("split", x, dim);
        int n = x.shape(axis);
        if (splitSize <= 0 && !(splitSize == 0 && n == 0)) {
            throw new IllegalArgumentException("split: split size must be positive, got " + splitSize + " for dimension " + axis
                    + " of size " + n + " (input shape " + Arrays.toString(x.shape()) + ")");
        }
        int count = n == 0 ? 1 : (n + splitSize - 1) / splitSize;
        Tensor[] r = new Tensor[count];
        for (int i = 0; i < count; i++) {
            int start = i * splitSize;
            r[i] = x.narrow(axis, start, Math.min(splitSize, n - start));
        }
        return r;
    }

    /**
     * Views of pieces of the given sizes along {@code dim}; the sizes must add up to its size.
     *
     * <pre>{@code
     * Tensor[] qkv = IndexingOps.split(proj, new int[] {64, 64, 64}, -1);
     * }</pre>
     */
    public static Tensor[] split(Tensor x, int[] sizes, int dim) {
        int axis = axisOf("split", x, dim);
        int n = x.shape(axis);
        long sum = 0;
        for (int s : sizes) {
            if (s < 0) throw new IllegalArgumentException("split: sizes " + Arrays.toString(sizes) + " contain a negative size");
            sum += s;
        }
        if (sum != n) {
            throw new IllegalArgumentException("split: sizes " + Arrays.toString(sizes) + " add up to " + sum + " but dimension " + axis
                    + " of the input of shape " + Arrays.toString(x.shape()) + " has size " + n);
        }
        Tensor[] r = new Tensor[sizes.length];
        int start = 0;
        for (int i = 0; i < sizes.length; i++) {
            r[i] = x.narrow(axis, start, sizes[i]);
            start += sizes[i];
        }
        return r;
    }

    /**
     * Splits into {@code chunks} pieces of equal size along {@code dim} (the last may be smaller,
     * and there may be fewer pieces than asked for, as in PyTorch).
     *
     * <pre>{@code
     * Tensor[] halves = IndexingOps.chunk(x, 2, 1);
     * }</pre>
     */
    public static Tensor[] chunk(Tensor x, int chunks, int dim) {
        if (chunks <= 0) throw new IllegalArgumentException("chunk: number of chunks must be positive, got " + chunks);
        int axis = axisOf("chunk", x, dim);
        int n = x.shape(axis);
        int size = (n + chunks - 1) / chunks;
        return split(x, size, axis);
    }

    /**
     * {@code out[i][j] = x[i][index[i][j]]} for dim 1 (and likewise for any dim): index has the
     * rank of {@code x} and is no larger than it except along {@code dim}.
     *
     * <pre>{@code
     * Tensor picked = IndexingOps.gather(logProbs, 1, target.unsqueeze(1));  // [N, 1]
     * }</pre>
     */
    public static Tensor gather(Tensor x, int dim, Tensor index) {
        index = asIndex("gather", "index", index);
        if (x.dim() == 0 && index.dim() == 0) {
            Shapes.axis("gather", dim, 0);
            return gather(x.reshape(1), 0, index.reshape(1)).reshape();
        }
        return Dispatcher.call1(GATHER, new DimAttrs(axisOf("gather", x, dim)), x, index);
    }

    /**
     * A copy of {@code x} with {@code src[i][j]} added at {@code [i][index[i][j]]} for dim 1
     * (and likewise for any dim); repeated indices accumulate. {@code src} is converted to
     * {@code x}'s dtype.
     *
     * <pre>{@code
     * Tensor counts = IndexingOps.scatterAdd(Tensor.zeros(1, 5), 1, labels.unsqueeze(0), Tensor.ones(1, n));
     * }</pre>
     */
    public static Tensor scatterAdd(Tensor x, int dim, Tensor index, Tensor src) {
        index = asIndex("scatter_add", "index", index);
        src = src.to(x.dtype());
        if (x.dim() == 0 && index.dim() == 0 && src.dim() == 0) {
            Shapes.axis("scatter_add", dim, 0);
            return scatterAdd(x.reshape(1), 0, index.reshape(1), src.reshape(1)).reshape();
        }
        return Dispatcher.call1(SCATTER_ADD, new DimAttrs(axisOf("scatter_add", x, dim)), x, index, src);
    }

    /**
     * The slices of {@code x} along {@code dim} at the positions in the 1-d {@code index}.
     *
     * <pre>{@code
     * Tensor rows = IndexingOps.indexSelect(x, 0, Tensor.of(new long[] {2, 0}, 2));
     * }</pre>
     */
    public static Tensor indexSelect(Tensor x, int dim, Tensor index) {
        index = asIndex("index_select", "index", index);
        if (index.dim() == 0) index = index.reshape(1);
        return Dispatcher.call1(INDEX_SELECT, new DimAttrs(axisOf("index_select", x, dim)), x, index);
    }

    /**
     * A copy of {@code x} with slice {@code j} of {@code src} along {@code dim} added to slice
     * {@code index[j]}; repeated indices accumulate. {@code src} is converted to {@code x}'s dtype.
     *
     * <pre>{@code
     * Tensor sums = IndexingOps.indexAdd(Tensor.zeros(3, 4), 0, Tensor.of(new long[] {0, 0, 2}, 3), rows);
     * }</pre>
     */
    public static Tensor indexAdd(Tensor x, int dim, Tensor index, Tensor src) {
        index = asIndex("index_add", "index", index);
        if (index.dim() == 0) index = index.reshape(1);
        return Dispatcher.call1(INDEX_ADD, new DimAttrs(axisOf("index_add", x, dim)), x, index, src.to(x.dtype()));
    }

    /**
     * Pads the last {@code pads.length / 2} dimensions, with pads in PyTorch order: last dimension
     * first, {@code (left, right, top, bottom, front, back)}. Constant padding may be negative
     * (it crops); {@code value} is used only by {@link PadMode#CONSTANT}.
     *
     * <pre>{@code
     * Tensor y = IndexingOps.pad(img, new int[] {1, 1, 2, 2}, PadMode.REFLECT, 0);  // W + 2, H + 4
     * }</pre>
     */
    public static Tensor pad(Tensor x, int[] pads, PadMode mode, double value) {
        if (pads == null) throw new IllegalArgumentException("pad: pads must not be null");
        if (mode == null) throw new IllegalArgumentException("pad: mode must not be null");
        if (pads.length % 2 != 0) {
            throw new IllegalArgumentException("pad: pads must have an even length (before, after per dimension), got "
                    + Arrays.toString(pads));
        }
        if (pads.length / 2 > x.dim()) {
            throw new IllegalArgumentException("pad: " + pads.length + " padding values pad " + pads.length / 2 + " dimensions but the input of shape "
                    + Arrays.toString(x.shape()) + " has only " + x.dim());
        }
        if (mode != PadMode.CONSTANT) return padReflectOrReplicate(x, new PadAttrs(pads.clone(), mode, 0));
        int rank = x.dim();
        int[] nonNeg = pads.clone();
        for (int k = 0; k < pads.length / 2; k++) {
            int d = rank - 1 - k;
            int before = pads[2 * k], after = pads[2 * k + 1];
            if (before >= 0 && after >= 0) continue;
            int n = x.shape(d);
            int cutBefore = Math.max(0, -before), cutAfter = Math.max(0, -after);
            if ((long) cutBefore + cutAfter > n) {
                throw new IllegalArgumentException("pad: negative padding (" + before + ", " + after + ") removes more than the size " + n
                        + " of dimension " + d + " of the input of shape " + Arrays.toString(x.shape()));
            }
            x = x.narrow(d, cutBefore, n - cutBefore - cutAfter);
            nonNeg[2 * k] = Math.max(0, before);
            nonNeg[2 * k + 1] = Math.max(0, after);
        }
        return Dispatcher.call1(CONSTANT_PAD, new PadAttrs(nonNeg, PadMode.CONSTANT, value), x);
    }

    /**
     * Integer class indices as one-hot vectors (i64), with a new last dimension of
     * {@code numClasses}; pass -1 to use the largest index + 1.
     *
     * <pre>{@code
     * Tensor oh = IndexingOps.oneHot(Tensor.of(new long[] {0, 2}, 2), 3);   // [[1, 0, 0], [0, 0, 1]]
     * }</pre>
     */
    public static Tensor oneHot(Tensor indices, int numClasses) {
        indices = asIndex("one_hot", "indices", indices);
        if (numClasses < -1) throw new IllegalArgumentException("one_hot: numClasses must be >= 0 (or -1 to infer), got " + numClasses);
        if (numClasses == -1) {
            if (indices.numel() == 0) {
                throw new IllegalArgumentException("one_hot: cannot infer the number of classes from empty indices of shape "
                        + Arrays.toString(indices.shape()));
            }
            long max = Long.MIN_VALUE;
            for (long v : indices.toLongArray()) max = Math.max(max, v);
            if (max < 0 || max >= Integer.MAX_VALUE) {
                throw new IllegalArgumentException("one_hot: index " + max + " cannot give a number of classes");
            }
            numClasses = (int) max + 1;
        }
        return Dispatcher.call1(ONE_HOT, numClasses, indices);
    }

    // ---------------------------------------------------------------- used by the op declarations

    /** Reflect or replicate padding with validated attributes (also the gradient of pad_backward). */
    static Tensor padReflectOrReplicate(Tensor x, PadAttrs a) {
        return Dispatcher.call1(PAD, a, x);
    }

    static Tensor padBackward(Tensor g, int[] inputShape, PadAttrs a) {
        return Dispatcher.call1(PAD_BACKWARD, new PadBackwardAttrs(inputShape.clone(), a), g);
    }

    /** {@code t} placed at the start of zeros of the (elementwise no smaller) {@code shape}. */
    static Tensor zeroExtend(Tensor t, int[] shape) {
        int[] cur = t.shape();
        for (int d = 0; d < cur.length; d++) {
            if (cur[d] == shape[d]) continue;
            int n = cur[d];
            cur[d] = shape[d];
            t = ViewOps.scatterSlice(t, cur.clone(), d, 0, n, 1);
        }
        return t;
    }

    static Tensor asIndex(String op, String arg, Tensor t) {
        if (t == null) throw new IllegalArgumentException(op + ": " + arg + " must not be null");
        if (t.dtype() == DType.I64) return t;
        if (t.dtype().isIntegral()) return t.to(DType.I64);
        throw new IllegalArgumentException(op + ": " + arg + " must be an integer tensor (i64 or i32), got " + t.dtype()
                + " of shape " + Arrays.toString(t.shape()));
    }

    static void requireI64(String op, String arg, Tensor t) {
        if (t.dtype() != DType.I64) {
            throw new IllegalArgumentException(op + ": " + arg + " must be i64, got " + t.dtype() + " of shape " + Arrays.toString(t.shape()));
        }
    }

    static void requireSameRank(String op, String aName, Tensor a, String bName, Tensor b) {
        if (a.dim() != b.dim()) {
            throw new IllegalArgumentException(op + ": " + bName + " of shape " + Arrays.toString(b.shape()) + " must have as many dimensions as "
                    + aName + " of shape " + Arrays.toString(a.shape()) + " (" + b.dim() + " vs " + a.dim() + ")");
        }
    }

    /** index.size(d) <= x.size(d) for every d except {@code dim}. */
    static void requireIndexFits(String op, String xName, Tensor x, Tensor index, int dim) {
        int[] xs = x.shape(), is = index.shape();
        for (int d = 0; d < is.length; d++) {
            if (d != dim && is[d] > xs[d]) {
                throw new IllegalArgumentException(op + ": index of shape " + Arrays.toString(is) + " is larger than " + xName + " of shape "
                        + Arrays.toString(xs) + " in dimension " + d + " (" + is[d] + " > " + xs[d] + "); only dimension " + dim
                        + " may be larger");
            }
        }
    }

    static void checkPads(String op, Tensor x, int[] pads, boolean constant) {
        if (pads.length % 2 != 0 || pads.length / 2 > x.dim()) {
            throw new IllegalArgumentException(op + ": pads " + Arrays.toString(pads) + " do not fit the input of shape " + Arrays.toString(x.shape()));
        }
        for (int p : pads) {
            if (p < 0) {
                throw new IllegalArgumentException(op + ": padding must be non-negative" + (constant ? "" : " for reflect and replicate modes")
                        + ", got " + Arrays.toString(pads) + " for the input of shape " + Arrays.toString(x.shape()));
            }
        }
    }

    private static int axisOf(String op, Tensor x, int dim) {
        if (x.dim() == 0) {
            throw new IllegalArgumentException(op + ": the input must have at least one dimension, got a 0-dimensional tensor");
        }
        return Shapes.axis(op, dim, x.dim());
    }
}
