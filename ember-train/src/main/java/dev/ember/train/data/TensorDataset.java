package dev.ember.train.data;

import dev.ember.core.Tensor;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * A dataset held as two tensors in host memory: example {@code i} is row {@code i} of
 * {@code inputs} and of {@code targets}. A batch is gathered with one contiguous row copy per
 * example, whatever the dtype, so u8 images stay u8 until a transform converts them.
 *
 * <pre>{@code
 * var ds = new TensorDataset(Tensor.randn(Generator.seeded(0), 100, 4), Tensor.arange(100));
 * Batch b = ds.get(new int[] {3, 1, 4});   // input [3, 4], target [3]
 * }</pre>
 */
public final class TensorDataset implements Dataset {

    private final Tensor inputs;
    private final Tensor targets;

    /** Both tensors must have the same size along dimension 0; they are copied to the host if needed. */
    public TensorDataset(Tensor inputs, Tensor targets) {
        if (inputs.dim() == 0 || targets.dim() == 0) {
            throw new IllegalArgumentException("TensorDataset: inputs " + Arrays.toString(inputs.shape()) + " and targets "
                    + Arrays.toString(targets.shape()) + " need a leading example dimension");
        }
        if (inputs.shape(0) != targets.shape(0)) {
            throw new IllegalArgumentException("TensorDataset: inputs of shape " + Arrays.toString(inputs.shape())
                    + " and targets of shape " + Arrays.toString(targets.shape()) + " differ in dimension 0");
        }
        this.inputs = HostTensors.hostContiguous(inputs);
        this.targets = HostTensors.hostContiguous(targets);
    }

    @Override
    public int size() { return inputs.shape(0); }

    /** All inputs (host, contiguous). */
    public Tensor inputs() { return inputs; }

    /** All targets (host, contiguous). */
    public Tensor targets() { return targets; }

    @Override
    public Batch get(int[] indices) {
        int n = size();
        for (int k = 0; k < indices.length; k++) {
            if (indices[k] < 0 || indices[k] >= n) {
                throw new IndexOutOfBoundsException("TensorDataset.get: index " + indices[k] + " at position " + k
                        + " is outside [0, " + n + ")");
            }
        }
        return new Batch(gather(inputs, indices), gather(targets, indices));
    }

    /** Rows {@code from..to-1} as a new dataset sharing no memory with this one. */
    public TensorDataset subset(int from, int to) {
        if (from < 0 || to > size() || from > to) {
            throw new IndexOutOfBoundsException("TensorDataset.subset: [" + from + ", " + to + ") is not within [0, " + size() + ")");
        }
        int[] idx = new int[to - from];
        for (int i = 0; i < idx.length; i++) idx[i] = from + i;
        Batch b = get(idx);
        return new TensorDataset(b.input(), b.target());
    }

    private static Tensor gather(Tensor src, int[] indices) {
        int[] shape = src.shape();
        shape[0] = indices.length;
        Tensor out = Tensor.empty(src.dtype(), src.device(), shape);
        long rowBytes = src.shape(0) == 0 ? 0 : src.numel() / src.shape(0) * src.dtype().byteSize();
        MemorySegment from = src.segment();
        MemorySegment to = out.segment();
        long base = HostTensors.base(src);
        for (int k = 0; k < indices.length; k++) {
            MemorySegment.copy(from, base + indices[k] * rowBytes, to, k * rowBytes, rowBytes);
        }
        return out;
    }
}
