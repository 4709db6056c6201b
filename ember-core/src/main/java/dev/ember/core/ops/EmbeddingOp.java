package dev.ember.core.ops;

import dev.ember.core.Tensor;

import java.util.Arrays;

/**
 * Rows of a {@code [num, dim]} weight table picked by integer indices of any shape; the result
 * has the indices' shape plus {@code dim}. Decomposes into index_select, whose gradient adds
 * each row's gradient into the table (repeated indices accumulate).
 */
final class EmbeddingOp extends CompositeOp<NoAttrs> {

    EmbeddingOp() { super("embedding"); }

    @Override
    public OutputSpec[] infer(Tensor[] in, NoAttrs attrs) {
        Tensor weight = in[0], indices = in[1];
        if (weight.dim() != 2) {
            throw new IllegalArgumentException("embedding: weight must be 2-d [num_embeddings, embedding_dim], got shape "
                    + Arrays.toString(weight.shape()));
        }
        IndexingOps.requireI64(name(), "indices", indices);
        int[] s = indices.shape();
        int[] out = Arrays.copyOf(s, s.length + 1);
        out[s.length] = weight.shape(1);
        return new OutputSpec[] {new OutputSpec(out, weight.dtype())};
    }

    @Override
    public Tensor[] decompose(Tensor[] in, NoAttrs attrs) {
        int[] out = infer(in, attrs)[0].shape();
        Tensor rows;
        try {
            rows = IndexingOps.indexSelect(in[0], 0, in[1].reshape(-1));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("embedding: an index is out of range for a weight of shape "
                    + Arrays.toString(in[0].shape()) + " (" + e.getMessage() + ")", e);
        }
        return new Tensor[] {rows.reshape(out)};
    }
}
