package dev.ember.nn.layers;

import dev.ember.core.DType;
import dev.ember.core.Device;
import dev.ember.core.Tensor;
import dev.ember.core.ops.IndexingOps;
import dev.ember.core.random.Generator;
import dev.ember.nn.Init;
import dev.ember.nn.Module;
import dev.ember.nn.Parameter;

/**
 * A lookup table: integer indices of any shape give rows of {@code weight}
 * ({@code [numEmbeddings, dim]}, initialised N(0, 1) as PyTorch's {@code nn.Embedding}).
 *
 * <pre>{@code
 * Embedding emb = new Embedding(10000, 256);
 * Tensor v = emb.forward(Tensor.of(new long[] {1, 5, 9}, 3));   // [3, 256]
 * }</pre>
 */
public class Embedding extends Module {

    private final int numEmbeddings, dim;
    private final Parameter weight;

    public Embedding(int numEmbeddings, int dim) { this(numEmbeddings, dim, Generator.global()); }

    public Embedding(int numEmbeddings, int dim, Generator gen) {
        if (numEmbeddings <= 0 || dim <= 0) {
            throw new IllegalArgumentException("Embedding: numEmbeddings " + numEmbeddings + " and dim " + dim + " must be positive");
        }
        this.numEmbeddings = numEmbeddings;
        this.dim = dim;
        this.weight = parameter("weight", Init.normal(Tensor.empty(DType.F32, Device.CPU, numEmbeddings, dim), 0, 1, gen));
    }

    @Override
    public Tensor forward(Tensor indices) { return IndexingOps.embedding(weight.data(), indices); }

    public Parameter weight() { return weight; }

    public int numEmbeddings() { return numEmbeddings; }

    public int dim() { return dim; }
}
