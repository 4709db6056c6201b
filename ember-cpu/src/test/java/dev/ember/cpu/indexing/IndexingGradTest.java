package dev.ember.cpu.indexing;

import dev.ember.core.DType;
import dev.ember.core.Device;
import dev.ember.core.Tensor;
import dev.ember.core.autograd.Autograd;
import dev.ember.core.autograd.GradMode;
import dev.ember.core.ops.IndexingOps;
import dev.ember.core.ops.PadMode;
import dev.ember.core.random.Generator;
import dev.ember.core.testing.GradCheck;
import org.junit.jupiter.api.Test;

import java.util.Random;
import java.util.function.Function;

import static dev.ember.core.testing.TensorAssert.assertClose;

/** Gradients of the indexing ops against finite differences, including non-contiguous inputs and second order. */
class IndexingGradTest {

    private final Random rnd = new Random(11);
    private final Generator gen = Generator.seeded(3);

    private Tensor leaf(int... shape) {
        return Tensor.randn(gen, DType.F64, Device.CPU, shape).requiresGrad(true);
    }

    private Tensor index(int bound, int... shape) {
        return Tensor.of(Nd.indices(rnd, Nd.numel(shape), bound), shape);
    }

    @Test
    void gather() {
        Tensor x = leaf(3, 4);
        Tensor idx1 = index(4, 3, 6);
        GradCheck.check(in -> IndexingOps.gather(in[0], 1, idx1), x);
        Tensor idx = index(3, 5, 2);
        GradCheck.check(in -> IndexingOps.gather(in[0], 0, idx), x);
        // non-contiguous input: x^T is [4, 3]
        Tensor idxT = index(3, 4, 5);
        GradCheck.check(in -> IndexingOps.gather(in[0].transpose(0, 1), 1, idxT), x);
    }

    @Test
    void scatterAdd() {
        Tensor x = leaf(4, 3), src = leaf(7, 3);
        Tensor idx = index(4, 6, 2);  // covers part of src only
        GradCheck.check(in -> IndexingOps.scatterAdd(in[0], 0, idx, in[1]), x, src);
        Tensor srcT = leaf(3, 5);  // transposed to [5, 3]
        Tensor idx1 = index(3, 4, 3);
        GradCheck.check(in -> IndexingOps.scatterAdd(in[0], 1, idx1, in[1].transpose(0, 1)), x, srcT);
    }

    @Test
    void indexSelectAndIndexAdd() {
        Tensor x = leaf(4, 3, 2);
        Tensor idx = Tensor.of(new long[] {3, 0, 3, 1, 3}, 5);
        for (int dim = 0; dim < 2; dim++) {
            int d = dim;
            Tensor i = d == 0 ? idx : Tensor.of(new long[] {2, 2, 0}, 3);
            GradCheck.check(in -> IndexingOps.indexSelect(in[0], d, i), x);
        }
        GradCheck.check(in -> IndexingOps.indexSelect(in[0].transpose(0, 2), 2, idx), x);
        Tensor src = leaf(5, 3, 2);
        GradCheck.check(in -> IndexingOps.indexAdd(in[0], 0, idx, in[1]), x, src);
        Tensor srcPermuted = leaf(2, 3, 5);
        GradCheck.check(in -> IndexingOps.indexAdd(in[0], 0, idx, in[1].permute(2, 1, 0)), x, srcPermuted);
    }

    @Test
    void embeddingAccumulatesRepeatedRows() {
        Tensor w = leaf(5, 3);
        Tensor ids = Tensor.of(new long[] {4, 0, 4, 4, 2, 0}, 2, 3);
        GradCheck.check(in -> IndexingOps.embedding(in[0], ids), w);
        w.setGrad(null);
        Tensor out = IndexingOps.embedding(w, ids);
        out.sum().backward();
        // each row's gradient is the number of times it was picked, times a row of ones
        assertClose(new double[] {2, 2, 2, 0, 0, 0, 1, 1, 1, 0, 0, 0, 3, 3, 3}, w.grad(), 0);
    }

    @Test
    void catStackSplitChunk() {
        Tensor a = leaf(2, 3), b = leaf(4, 3), c = leaf(3, 2);
        GradCheck.check(in -> IndexingOps.cat(new Tensor[] {in[0], in[1], in[2].transpose(0, 1)}, 0), a, b, c);
        Tensor d = leaf(2, 3);
        GradCheck.check(in -> IndexingOps.stack(new Tensor[] {in[0], in[1].mul(2)}, 1), a, d);
        GradCheck.check(in -> {
            Tensor[] p = IndexingOps.split(in[0], new int[] {1, 3}, 0);
            return IndexingOps.cat(new Tensor[] {p[1].mul(p[1]), p[0].exp()}, 0);
        }, b);
        GradCheck.check(in -> IndexingOps.chunk(in[0].transpose(0, 1), 2, 1)[1].tanh(), b);
    }

    @Test
    void pad() {
        Tensor x = leaf(2, 3, 4);
        for (PadMode mode : PadMode.values()) {
            GradCheck.check(in -> IndexingOps.pad(in[0], new int[] {3, 2, 1, 2}, mode, 0.5), x);
            GradCheck.check(in -> IndexingOps.pad(in[0], new int[] {1, 2}, mode, 0), x);
            GradCheck.check(in -> IndexingOps.pad(in[0].transpose(0, 2), new int[] {1, 0, 1, 1, 1, 1}, mode, 0), x);
        }
        GradCheck.check(in -> IndexingOps.pad(in[0], new int[] {-1, 2, 0, -1}, PadMode.CONSTANT, 0), x);
    }

    @Test
    void secondOrder() {
        Tensor x = leaf(3, 4);
        Tensor w = Tensor.randn(gen, DType.F64, Device.CPU, 3, 7);
        Tensor idx = index(4, 3, 7);
        GradCheck.check(gradOf(t -> IndexingOps.gather(t, 1, idx).square().mul(w).sum()), x);
        Tensor sel = Tensor.of(new long[] {2, 2, 0}, 3);
        Tensor w2 = Tensor.randn(gen, DType.F64, Device.CPU, 3, 3);
        GradCheck.check(gradOf(t -> IndexingOps.indexSelect(t, 1, sel).square().mul(w2).sum()), x);
        for (PadMode mode : new PadMode[] {PadMode.REFLECT, PadMode.REPLICATE}) {
            Tensor wp = Tensor.randn(gen, DType.F64, Device.CPU, 5, 7);
            GradCheck.check(gradOf(t -> IndexingOps.pad(t, new int[] {2, 1, 1, 1}, mode, 0).square().mul(wp).sum()), x);
        }
    }

    /** x -> d f(x) / dx, itself differentiable (built with createGraph). */
    private static Function<Tensor[], Tensor> gradOf(Function<Tensor, Tensor> f) {
        return in -> {
            try (var on = GradMode.enable()) {
                Tensor x = in[0].requiresGrad() ? in[0] : in[0].detach().requiresGrad(true);
                Tensor y = f.apply(x);
                return Autograd.grad(new Tensor[] {y}, null, new Tensor[] {x}, null, true)[0];
            }
        };
    }
}
