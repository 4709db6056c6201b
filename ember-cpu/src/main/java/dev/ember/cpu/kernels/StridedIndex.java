package dev.ember.cpu.kernels;

import dev.ember.core.Tensor;

/**
 * Walks the elements of a row-major output shape while tracking where each input element
 * lives, for inputs of any strides that broadcast to that shape (broadcast dimensions get
 * stride 0). Dimensions are taken as rows of the last dimension: the caller handles each row
 * with one start offset and one inner stride per input, which keeps the inner loop simple.
 */
final class StridedIndex {

    final int[] shape;     // output shape, rank >= 1
    final long[][] strides; // per input, aligned to the output rank, in elements
    final long[] bases;     // per input, offset of element 0, in elements
    final int inner;        // size of the last dimension
    final long rows;        // number of rows

    StridedIndex(int[] outShape, Tensor... inputs) {
        int rank = Math.max(outShape.length, 1);
        this.shape = outShape.length == 0 ? new int[] {1} : outShape.clone();
        this.strides = new long[inputs.length][];
        this.bases = new long[inputs.length];
        for (int k = 0; k < inputs.length; k++) {
            Tensor t = inputs[k];
            int[] ts = t.shape();
            long[] st = t.strides();
            long[] aligned = new long[rank];
            int lead = rank - ts.length;
            for (int i = 0; i < ts.length; i++) aligned[lead + i] = ts[i] == 1 ? 0 : st[i];
            strides[k] = aligned;
            bases[k] = t.offset();
        }
        this.inner = shape[rank - 1];
        long r = 1;
        for (int i = 0; i < rank - 1; i++) r *= shape[i];
        this.rows = inner == 0 ? 0 : r;
    }

    /** Element offset of input k at the start of row {@code row}. */
    long rowStart(int k, long row) {
        long off = bases[k];
        long[] st = strides[k];
        for (int d = shape.length - 2; d >= 0 && row > 0; d--) {
            long idx = row % shape[d];
            row /= shape[d];
            off += idx * st[d];
        }
        return off;
    }

    /** Stride of input k along the last dimension. */
    long innerStride(int k) { return strides[k][shape.length - 1]; }
}
