package dev.ember.core;

import dev.ember.core.autograd.Autograd;
import dev.ember.core.autograd.GradMode;
import dev.ember.core.autograd.Node;
import dev.ember.core.backend.Backend;
import dev.ember.core.dispatch.Dispatcher;
import dev.ember.core.memory.Storage;
import dev.ember.core.ops.CreationOps;
import dev.ember.core.ops.ElementwiseOps;
import dev.ember.core.ops.IndexingOps;
import dev.ember.core.ops.LinalgOps;
import dev.ember.core.ops.PadMode;
import dev.ember.core.ops.ReductionOps;
import dev.ember.core.ops.TensorOps;
import dev.ember.core.ops.ValuesIndices;
import dev.ember.core.ops.ViewOps;
import dev.ember.core.random.Generator;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * An n-dimensional array on a device, with autograd. Methods are thin: each forwards to one op
 * through the {@link Dispatcher}, so autocast, tracing and autograd apply to all of them.
 *
 * <pre>{@code
 * Tensor w = Tensor.randn(Generator.seeded(0), 3, 2).requiresGrad(true);
 * Tensor x = Tensor.of(new float[] {1, 2, 3}, 1, 3);
 * Tensor loss = x.matmul(w).relu().sum();
 * loss.backward();
 * System.out.println(w.grad());
 * }</pre>
 *
 * Memory is reclaimed when a tensor becomes unreachable; hot loops can free temporaries early
 * with a {@link dev.ember.core.memory.MemoryScope}.
 */
public final class Tensor {

    private final Storage storage;
    private final long offset;        // in elements
    private final int[] shape;
    private final long[] strides;     // in elements
    private final DType dtype;

    private boolean requiresGrad;
    private Tensor grad;
    private Node gradFn;
    private int outputIndex;
    private List<UnaryOperator<Tensor>> leafHooks;

    private Tensor(Storage storage, long offset, int[] shape, long[] strides, DType dtype) {
        this.storage = storage;
        this.offset = offset;
        this.shape = shape;
        this.strides = strides;
        this.dtype = dtype;
    }

    // ------------------------------------------------------------------ construction (low level)

    /** A tensor over existing storage; used by view ops and backends. No copy. */
    public static Tensor of(Storage storage, long offset, int[] shape, long[] strides, DType dtype) {
        for (int s : shape) {
            if (s < 0) throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
        }
        return new Tensor(storage, offset, shape.clone(), strides.clone(), dtype);
    }

    /** Uninitialised memory on {@code device}. */
    public static Tensor empty(DType dtype, Device device, int... shape) {
        for (int s : shape) {
            if (s < 0) throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
        }
        Backend b = device.backend();
        long bytes = Shapes.numel(shape) * dtype.byteSize();
        Storage st = Storage.allocate(device, b.allocator(device), bytes);
        return new Tensor(st, 0, shape.clone(), Shapes.contiguousStrides(shape), dtype);
    }

    /**
     * Wraps {@code segment} (for example a memory-mapped weight file) as a CPU tensor without
     * copying. The caller keeps the segment's arena open while the tensor is used.
     */
    public static Tensor wrap(MemorySegment segment, DType dtype, int... shape) {
        long need = Shapes.numel(shape) * dtype.byteSize();
        if (segment.byteSize() < need) {
            throw new IllegalArgumentException("wrap: segment has " + segment.byteSize() + " bytes but shape "
                    + Arrays.toString(shape) + " of " + dtype + " needs " + need);
        }
        if (segment.address() % dtype.byteSize() != 0) {
            throw new IllegalArgumentException("wrap: segment address is not aligned to " + dtype.byteSize() + " bytes for " + dtype);
        }
        return new Tensor(Storage.wrap(Device.CPU, segment), 0, shape.clone(), Shapes.contiguousStrides(shape), dtype);
    }

    // ------------------------------------------------------------------ creation

    public static Tensor zeros(int... shape) { return full(0, DType.F32, Device.CPU, shape); }
    public static Tensor zeros(DType dtype, Device device, int... shape) { return full(0, dtype, device, shape); }
    public static Tensor ones(int... shape) { return full(1, DType.F32, Device.CPU, shape); }
    public static Tensor ones(DType dtype, Device device, int... shape) { return full(1, dtype, device, shape); }
    public static Tensor full(double value, int... shape) { return full(value, DType.F32, Device.CPU, shape); }

    public static Tensor full(double value, DType dtype, Device device, int... shape) {
        return CreationOps.full(value, dtype, device, shape);
    }

    public static Tensor zerosLike(Tensor t) { return full(0, t.dtype, t.device(), t.shape); }
    public static Tensor onesLike(Tensor t) { return full(1, t.dtype, t.device(), t.shape); }

    /** A 0-dimensional tensor. */
    public static Tensor scalar(double value) { return full(value, DType.F32, Device.CPU); }
    public static Tensor scalar(double value, DType dtype, Device device) { return full(value, dtype, device); }

    /** 0, 1, ..., n-1 as i64. */
    public static Tensor arange(long n) { return CreationOps.arange(0, n, 1, DType.I64, Device.CPU); }
    public static Tensor arange(double start, double end, double step, DType dtype, Device device) {
        return CreationOps.arange(start, end, step, dtype, device);
    }
    public static Tensor linspace(double start, double end, int steps) { return CreationOps.linspace(start, end, steps, DType.F32, Device.CPU); }
    public static Tensor linspace(double start, double end, int steps, DType dtype, Device device) {
        return CreationOps.linspace(start, end, steps, dtype, device);
    }
    public static Tensor eye(int n) { return CreationOps.eye(n, n, DType.F32, Device.CPU); }
    public static Tensor eye(int rows, int cols, DType dtype, Device device) { return CreationOps.eye(rows, cols, dtype, device); }

    /** Uniform in [0, 1), f32 on the CPU, from {@code gen} (bit-reproducible for a given seed). */
    public static Tensor rand(Generator gen, int... shape) { return CreationOps.rand(gen, DType.F32, Device.CPU, shape); }
    public static Tensor rand(Generator gen, DType dtype, Device device, int... shape) { return CreationOps.rand(gen, dtype, device, shape); }
    /** Standard normal, f32 on the CPU, from {@code gen}. */
    public static Tensor randn(Generator gen, int... shape) { return CreationOps.randn(gen, DType.F32, Device.CPU, shape); }
    public static Tensor randn(Generator gen, DType dtype, Device device, int... shape) { return CreationOps.randn(gen, dtype, device, shape); }
    /** Integers uniform in [low, high), i64 on the CPU. */
    public static Tensor randint(Generator gen, long low, long high, int... shape) {
        return CreationOps.randint(gen, low, high, DType.I64, Device.CPU, shape);
    }
    public static Tensor randint(Generator gen, long low, long high, DType dtype, Device device, int... shape) {
        return CreationOps.randint(gen, low, high, dtype, device, shape);
    }

    // ------------------------------------------------------------------ from and to Java arrays

    public static Tensor of(float[] data, int... shape) { return fromHeap(MemorySegment.ofArray(data), data.length, DType.F32, shape); }
    public static Tensor of(double[] data, int... shape) { return fromHeap(MemorySegment.ofArray(data), data.length, DType.F64, shape); }
    public static Tensor of(int[] data, int... shape) { return fromHeap(MemorySegment.ofArray(data), data.length, DType.I32, shape); }
    public static Tensor of(long[] data, int... shape) { return fromHeap(MemorySegment.ofArray(data), data.length, DType.I64, shape); }
    public static Tensor of(byte[] data, DType dtype, int... shape) {
        if (dtype != DType.I8 && dtype != DType.U8 && dtype != DType.BOOL) {
            throw new IllegalArgumentException("Tensor.of(byte[]): dtype must be i8, u8 or bool, got " + dtype);
        }
        return fromHeap(MemorySegment.ofArray(data), data.length, dtype, shape);
    }
    public static Tensor of(boolean[] data, int... shape) {
        byte[] b = new byte[data.length];
        for (int i = 0; i < b.length; i++) b[i] = (byte) (data[i] ? 1 : 0);
        return fromHeap(MemorySegment.ofArray(b), b.length, DType.BOOL, shape);
    }
    /** A 1-d f32 tensor. */
    public static Tensor of(float... data) { return of(data, data.length); }

    private static Tensor fromHeap(MemorySegment src, int length, DType dtype, int[] shape) {
        if (shape.length == 0 && length != 1) shape = new int[] {length};
        if (Shapes.numel(shape) != length) {
            throw new IllegalArgumentException("Tensor.of: " + length + " values do not fill shape " + Arrays.toString(shape)
                    + " (" + Shapes.numel(shape) + " elements)");
        }
        Tensor t = empty(dtype, Device.CPU, shape);
        t.backend().copyFromHost(src, 0, t.storage, 0, (long) length * dtype.byteSize());
        return t;
    }

    public float[] toFloatArray() {
        Tensor c = hostContiguous(DType.F32);
        return c.storage.segment().asSlice(c.offset * 4, c.numel() * 4).toArray(ValueLayout.JAVA_FLOAT);
    }
    public double[] toDoubleArray() {
        Tensor c = hostContiguous(DType.F64);
        return c.storage.segment().asSlice(c.offset * 8, c.numel() * 8).toArray(ValueLayout.JAVA_DOUBLE);
    }
    public long[] toLongArray() {
        Tensor c = hostContiguous(DType.I64);
        return c.storage.segment().asSlice(c.offset * 8, c.numel() * 8).toArray(ValueLayout.JAVA_LONG);
    }
    public int[] toIntArray() {
        Tensor c = hostContiguous(DType.I32);
        return c.storage.segment().asSlice(c.offset * 4, c.numel() * 4).toArray(ValueLayout.JAVA_INT);
    }
    public boolean[] toBooleanArray() {
        Tensor c = hostContiguous(DType.BOOL);
        byte[] b = c.storage.segment().asSlice(c.offset, c.numel()).toArray(ValueLayout.JAVA_BYTE);
        boolean[] r = new boolean[b.length];
        for (int i = 0; i < b.length; i++) r[i] = b[i] != 0;
        return r;
    }
    /** The raw bytes of the elements, in row-major order, in this tensor's dtype (little-endian). */
    public byte[] toByteArray() {
        Tensor c = hostContiguous(dtype);
        return c.storage.segment().asSlice(c.offset * dtype.byteSize(), c.numel() * dtype.byteSize()).toArray(ValueLayout.JAVA_BYTE);
    }

    /** The value of a one-element tensor. */
    public double item() {
        if (numel() != 1) throw new IllegalStateException("item(): tensor has " + numel() + " elements, shape " + Arrays.toString(shape));
        return toDoubleArray()[0];
    }

    /** One element as a double (slow; for tests and printing). */
    public double getDouble(int... index) {
        if (index.length != shape.length) {
            throw new IllegalArgumentException("getDouble: " + index.length + " indices for a tensor of rank " + shape.length);
        }
        Tensor t = this;
        for (int d = index.length - 1; d >= 0; d--) t = t.select(d, index[d]);
        return t.item();
    }

    private Tensor hostContiguous(DType as) {
        Tensor t;
        try (var g = GradMode.disable()) {
            t = to(Device.CPU).to(as).contiguous();
        }
        return t;
    }

    // ------------------------------------------------------------------ properties

    public int[] shape() { return shape.clone(); }
    public int shape(int dim) { return shape[Shapes.axis("shape", dim, shape.length)]; }
    public int dim() { return shape.length; }
    public long numel() { return Shapes.numel(shape); }
    public long[] strides() { return strides.clone(); }
    public long stride(int dim) { return strides[Shapes.axis("stride", dim, shape.length)]; }
    public long offset() { return offset; }
    public DType dtype() { return dtype; }
    public Device device() { return storage.device(); }
    public Storage storage() { return storage; }
    public Backend backend() { return storage.device().backend(); }
    public int version() { return storage.version(); }

    /** Row-major with no gaps (size-1 dimensions may have any stride). */
    public boolean isContiguous() {
        long expected = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            if (shape[i] != 1 && strides[i] != expected) return false;
            expected *= shape[i];
        }
        return true;
    }

    /** The tensor's memory; for kernels. Byte offset of element 0 is {@code offset() * dtype().byteSize()}. */
    public MemorySegment segment() { return storage.segment(); }

    // ------------------------------------------------------------------ autograd

    public boolean requiresGrad() { return requiresGrad; }

    /** Marks a leaf tensor as needing gradients; returns this. */
    public Tensor requiresGrad(boolean value) {
        if (gradFn != null && !value) {
            throw new IllegalStateException("requiresGrad(false) on a non-leaf tensor; use detach() instead");
        }
        if (value && !dtype.isFloating()) {
            throw new IllegalArgumentException("only floating tensors can require gradients, this one is " + dtype);
        }
        this.requiresGrad = value;
        return this;
    }

    public Tensor grad() { return grad; }
    public void setGrad(Tensor g) { this.grad = g; }
    public Node gradFn() { return gradFn; }
    public int outputIndex() { return outputIndex; }
    public boolean isLeaf() { return gradFn == null; }

    /** Called by autograd when an op makes this tensor. */
    public void setGradFn(Node node, int index) {
        this.gradFn = node;
        this.outputIndex = index;
        this.requiresGrad = true;
    }

    /** Backpropagates from this scalar. */
    public void backward() { Autograd.backward(new Tensor[] {this}, null, false, false); }

    /** Backpropagates from this tensor with the gradient {@code gradient} (same shape). */
    public void backward(Tensor gradient) { Autograd.backward(new Tensor[] {this}, new Tensor[] {gradient}, false, false); }

    public void backward(Tensor gradient, boolean retainGraph, boolean createGraph) {
        Autograd.backward(new Tensor[] {this}, new Tensor[] {gradient}, retainGraph, createGraph);
    }

    /** The same data, cut from the graph. Shares memory. */
    public Tensor detach() {
        return new Tensor(storage, offset, shape, strides, dtype);
    }

    /**
     * Calls {@code hook} with this tensor's gradient when it is computed; a non-null result
     * replaces the gradient.
     */
    public Tensor registerHook(UnaryOperator<Tensor> hook) {
        if (!requiresGrad) throw new IllegalStateException("registerHook on a tensor that does not require grad");
        if (gradFn != null) {
            Autograd.addHook(this, hook);
        } else {
            if (leafHooks == null) leafHooks = new ArrayList<>();
            leafHooks.add(hook);
        }
        return this;
    }

    public Tensor applyLeafHooks(Tensor g) {
        if (leafHooks == null) return g;
        for (UnaryOperator<Tensor> h : leafHooks) {
            Tensor r = h.apply(g);
            if (r != null) g = r;
        }
        return g;
    }

    /** Runs {@code body} with autograd recording off, like {@code torch.no_grad()}. */
    public static GradMode.Guard noGrad() { return GradMode.disable(); }

    // ------------------------------------------------------------------ conversion and copies

    /** This tensor in {@code target} dtype (itself if it already is). */
    public Tensor to(DType target) { return target == dtype ? this : TensorOps.cast(this, target); }

    /** This tensor on {@code target} (itself if already there). */
    public Tensor to(Device target) { return target.equals(device()) ? this : TensorOps.toDevice(this, target); }

    /** Itself if contiguous, else a contiguous copy. */
    public Tensor contiguous() { return isContiguous() ? this : TensorOps.copy(this); }

    /** A copy with its own memory (differentiable). */
    public Tensor copy() { return TensorOps.copy(this); }

    /** Copies {@code src} (broadcast, converted) into this tensor in place. */
    public Tensor copy_(Tensor src) {
        if (GradMode.isEnabled() && requiresGrad) {
            throw new IllegalStateException("copy_: in-place change of a tensor that requires grad under autograd; use GradMode.disable()");
        }
        Dispatcher.copyInto(this, src);
        return this;
    }

    public Tensor zero_() { return fill_(0); }
    public Tensor fill_(double v) { return copy_(scalar(v, dtype, device())); }

    // ------------------------------------------------------------------ elementwise

    public Tensor add(Tensor o) { return ElementwiseOps.add(this, o); }
    public Tensor add(double v) { return ElementwiseOps.add(this, like(v)); }
    public Tensor sub(Tensor o) { return ElementwiseOps.sub(this, o); }
    public Tensor sub(double v) { return ElementwiseOps.sub(this, like(v)); }
    public Tensor mul(Tensor o) { return ElementwiseOps.mul(this, o); }
    public Tensor mul(double v) { return ElementwiseOps.mul(this, like(v)); }
    public Tensor div(Tensor o) { return ElementwiseOps.div(this, o); }
    public Tensor div(double v) { return ElementwiseOps.div(this, like(v)); }
    public Tensor pow(Tensor o) { return ElementwiseOps.pow(this, o); }
    public Tensor pow(double exponent) { return ElementwiseOps.powScalar(this, exponent); }
    public Tensor maximum(Tensor o) { return ElementwiseOps.maximum(this, o); }
    public Tensor minimum(Tensor o) { return ElementwiseOps.minimum(this, o); }
    public Tensor neg() { return ElementwiseOps.neg(this); }
    public Tensor exp() { return ElementwiseOps.exp(this); }
    public Tensor log() { return ElementwiseOps.log(this); }
    public Tensor sqrt() { return ElementwiseOps.sqrt(this); }
    public Tensor rsqrt() { return ElementwiseOps.rsqrt(this); }
    public Tensor abs() { return ElementwiseOps.abs(this); }
    public Tensor sin() { return ElementwiseOps.sin(this); }
    public Tensor cos() { return ElementwiseOps.cos(this); }
    public Tensor tanh() { return ElementwiseOps.tanh(this); }
    public Tensor sigmoid() { return ElementwiseOps.sigmoid(this); }
    public Tensor relu() { return ElementwiseOps.relu(this); }
    public Tensor leakyRelu(double negativeSlope) { return ElementwiseOps.leakyRelu(this, negativeSlope); }
    public Tensor gelu() { return ElementwiseOps.gelu(this, false); }
    public Tensor silu() { return ElementwiseOps.silu(this); }
    public Tensor softplus() { return ElementwiseOps.softplus(this, 1, 20); }
    public Tensor square() { return mul(this); }
    public Tensor reciprocal() { return ElementwiseOps.reciprocal(this); }
    public Tensor sign() { return ElementwiseOps.sign(this); }
    /** Clamps into [min, max]; pass NaN for no bound on a side. */
    public Tensor clamp(double min, double max) { return ElementwiseOps.clamp(this, min, max); }
    /** Elementwise {@code cond ? this : other}. */
    public Tensor where(Tensor cond, Tensor other) { return ElementwiseOps.where(cond, this, other); }
    public static Tensor where(Tensor cond, Tensor ifTrue, Tensor ifFalse) { return ElementwiseOps.where(cond, ifTrue, ifFalse); }

    public Tensor eq(Tensor o) { return ElementwiseOps.compare(ElementwiseOps.EQ, this, o); }
    public Tensor ne(Tensor o) { return ElementwiseOps.compare(ElementwiseOps.NE, this, o); }
    public Tensor lt(Tensor o) { return ElementwiseOps.compare(ElementwiseOps.LT, this, o); }
    public Tensor le(Tensor o) { return ElementwiseOps.compare(ElementwiseOps.LE, this, o); }
    public Tensor gt(Tensor o) { return ElementwiseOps.compare(ElementwiseOps.GT, this, o); }
    public Tensor ge(Tensor o) { return ElementwiseOps.compare(ElementwiseOps.GE, this, o); }
    public Tensor eq(double v) { return eq(like(v)); }
    public Tensor ne(double v) { return ne(like(v)); }
    public Tensor lt(double v) { return lt(like(v)); }
    public Tensor le(double v) { return le(like(v)); }
    public Tensor gt(double v) { return gt(like(v)); }
    public Tensor ge(double v) { return ge(like(v)); }

    // in place: for optimizers and buffers; they bump the version counter (see Dispatcher.callInPlace)
    public Tensor add_(Tensor o) { return Dispatcher.callInPlace(ElementwiseOps.ADD, dev.ember.core.ops.NoAttrs.INSTANCE, this, this, o.to(dtype)); }
    public Tensor add_(double v) { return add_(like(v)); }
    /** {@code this += alpha * o}. */
    public Tensor add_(Tensor o, double alpha) { return add_(alpha == 1 ? o : o.mul(alpha)); }
    public Tensor sub_(Tensor o) { return Dispatcher.callInPlace(ElementwiseOps.SUB, dev.ember.core.ops.NoAttrs.INSTANCE, this, this, o.to(dtype)); }
    public Tensor mul_(Tensor o) { return Dispatcher.callInPlace(ElementwiseOps.MUL, dev.ember.core.ops.NoAttrs.INSTANCE, this, this, o.to(dtype)); }
    public Tensor mul_(double v) { return mul_(like(v)); }
    public Tensor div_(Tensor o) { return Dispatcher.callInPlace(ElementwiseOps.DIV, dev.ember.core.ops.NoAttrs.INSTANCE, this, this, o.to(dtype)); }
    public Tensor div_(double v) { return div_(like(v)); }

    /** A 0-d tensor of this tensor's dtype and device (f32 for integer tensors with a fractional value). */
    private Tensor like(double v) {
        DType d = !dtype.isFloating() && (v != Math.rint(v) || Double.isNaN(v) || Double.isInfinite(v)) ? DType.F32 : dtype;
        if (d == DType.BOOL) d = DType.I64;
        return scalar(v, d, device());
    }

    // ------------------------------------------------------------------ views (no copies)

    /** The same elements in a new shape; one dimension may be -1. Must be viewable without a copy. */
    public Tensor view(int... newShape) { return ViewOps.view(this, newShape); }
    /** Like {@link #view} but copies when the strides do not allow a view. */
    public Tensor reshape(int... newShape) { return ViewOps.reshape(this, newShape); }
    public Tensor permute(int... dims) { return ViewOps.permute(this, dims); }
    public Tensor transpose(int d0, int d1) { return ViewOps.transpose(this, d0, d1); }
    /** Transpose of a 2-d tensor. */
    public Tensor t() {
        if (dim() != 2) throw new IllegalArgumentException("t(): expected a 2-d tensor, got shape " + Arrays.toString(shape));
        return transpose(0, 1);
    }
    public Tensor narrow(int dim, int start, int length) { return ViewOps.slice(this, dim, start, start + length, 1); }
    /** Elements {@code start, start+step, ...} below {@code end} along {@code dim}. */
    public Tensor slice(int dim, int start, int end, int step) { return ViewOps.slice(this, dim, start, end, step); }
    /** Removes {@code dim}, keeping index {@code index} along it. */
    public Tensor select(int dim, int index) { return ViewOps.select(this, dim, index); }
    public Tensor expand(int... newShape) { return ViewOps.expand(this, newShape); }
    public Tensor broadcastTo(int... newShape) { return ViewOps.expand(this, newShape); }
    public Tensor squeeze() { return ViewOps.squeeze(this, null); }
    public Tensor squeeze(int dim) { return ViewOps.squeeze(this, dim); }
    public Tensor unsqueeze(int dim) { return ViewOps.unsqueeze(this, dim); }
    public Tensor flatten() { return reshape((int) numel()); }
    /** Merges dimensions {@code start..end} (inclusive) into one. */
    public Tensor flatten(int start, int end) { return ViewOps.flatten(this, start, end); }

    // ------------------------------------------------------------------ reductions

    public Tensor sum() { return ReductionOps.sum(this, null, false); }
    public Tensor sum(int dim, boolean keepDim) { return ReductionOps.sum(this, new int[] {dim}, keepDim); }
    public Tensor sum(int[] dims, boolean keepDim) { return ReductionOps.sum(this, dims, keepDim); }
    public Tensor mean() { return ReductionOps.mean(this, null, false); }
    public Tensor mean(int dim, boolean keepDim) { return ReductionOps.mean(this, new int[] {dim}, keepDim); }
    public Tensor mean(int[] dims, boolean keepDim) { return ReductionOps.mean(this, dims, keepDim); }
    /** Variance with Bessel's correction {@code correction} (1 = unbiased, as PyTorch's default). */
    public Tensor var(int[] dims, int correction, boolean keepDim) { return ReductionOps.var(this, dims, correction, keepDim); }
    public Tensor std(int[] dims, int correction, boolean keepDim) { return ReductionOps.std(this, dims, correction, keepDim); }
    public Tensor max() { return ReductionOps.amax(this, null, false); }
    public Tensor min() { return ReductionOps.amin(this, null, false); }
    public Tensor amax(int[] dims, boolean keepDim) { return ReductionOps.amax(this, dims, keepDim); }
    public Tensor amin(int[] dims, boolean keepDim) { return ReductionOps.amin(this, dims, keepDim); }
    /** The maximum along {@code dim} and the index of its first occurrence. */
    public ValuesIndices max(int dim, boolean keepDim) { return ReductionOps.max(this, dim, keepDim); }
    public ValuesIndices min(int dim, boolean keepDim) { return ReductionOps.min(this, dim, keepDim); }
    public Tensor argmax(int dim, boolean keepDim) { return ReductionOps.argmax(this, dim, keepDim); }
    public Tensor argmin(int dim, boolean keepDim) { return ReductionOps.argmin(this, dim, keepDim); }
    public Tensor logsumexp(int[] dims, boolean keepDim) { return ReductionOps.logsumexp(this, dims, keepDim); }
    public Tensor norm() { return ReductionOps.norm(this, 2, null, false); }
    public Tensor norm(double p, int[] dims, boolean keepDim) { return ReductionOps.norm(this, p, dims, keepDim); }
    public Tensor softmax(int dim) { return ReductionOps.softmax(this, dim); }
    public Tensor logSoftmax(int dim) { return ReductionOps.logSoftmax(this, dim); }

    // ------------------------------------------------------------------ indexing and joining

    public Tensor gather(int dim, Tensor index) { return IndexingOps.gather(this, dim, index); }
    public Tensor scatterAdd(int dim, Tensor index, Tensor src) { return IndexingOps.scatterAdd(this, dim, index, src); }
    public Tensor indexSelect(int dim, Tensor index) { return IndexingOps.indexSelect(this, dim, index); }
    public Tensor indexAdd(int dim, Tensor index, Tensor src) { return IndexingOps.indexAdd(this, dim, index, src); }
    public Tensor[] split(int splitSize, int dim) { return IndexingOps.split(this, splitSize, dim); }
    public Tensor[] split(int[] sizes, int dim) { return IndexingOps.split(this, sizes, dim); }
    public Tensor[] chunk(int chunks, int dim) { return IndexingOps.chunk(this, chunks, dim); }
    public Tensor pad(int[] pads, PadMode mode, double value) { return IndexingOps.pad(this, pads, mode, value); }
    public static Tensor cat(Tensor[] ts, int dim) { return IndexingOps.cat(ts, dim); }
    public static Tensor stack(Tensor[] ts, int dim) { return IndexingOps.stack(ts, dim); }

    // ------------------------------------------------------------------ linear algebra

    /** Batched, broadcasting matrix product (as {@code torch.matmul}). */
    public Tensor matmul(Tensor o) { return LinalgOps.matmul(this, o); }

    // ------------------------------------------------------------------ printing

    @Override
    public String toString() { return TensorFormat.format(this); }

    /** Releases this tensor's memory now (optional; memory is reclaimed automatically otherwise). */
    public void release() { storage.release(); }
}
