package dev.ember.infer.optimize;

import dev.ember.core.Tensor;
import dev.ember.core.memory.MemoryScope;
import dev.ember.core.random.Generator;
import dev.ember.nn.Module;
import dev.ember.nn.layers.BatchNorm2d;
import dev.ember.nn.layers.Conv2d;
import dev.ember.nn.layers.Flatten;
import dev.ember.nn.layers.Linear;
import dev.ember.nn.layers.ReLU;
import dev.ember.nn.layers.Sequential;
import dev.ember.nn.zoo.ResNet;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The optimized model against the original's own eval-mode forward (the reference: it runs
 * conv2d, batch_norm, add and relu as separate ops), at the traced batch size and another.
 * Batch norms get random statistics and affine parameters, so that folding them changes numbers.
 */
class InferenceOptimizerTest {

    /** Random running statistics and affine parameters for every batch norm, so that folding is not the identity. */
    static void randomizeBatchNorms(Module model, Generator g) {
        try (var _ = Tensor.noGrad()) {
            model.apply(m -> {
                if (m instanceof BatchNorm2d bn) {
                    int c = bn.numFeatures();
                    bn.runningMean().copy_(Tensor.randn(g, c).mul(0.3));
                    bn.runningVar().copy_(Tensor.rand(g, c).mul(1.5).add(0.5));
                    bn.weight().data().copy_(Tensor.rand(g, c).add(0.5));
                    bn.bias().data().copy_(Tensor.randn(g, c).mul(0.2));
                }
            });
        }
    }

    /** Max |got - want| over max |want|, after checking shapes. */
    static double relativeError(Tensor want, Tensor got) {
        assertArrayEquals(want.shape(), got.shape());
        double[] w = want.toDoubleArray(), o = got.toDoubleArray();
        double scale = 0, err = 0;
        for (int i = 0; i < w.length; i++) {
            scale = Math.max(scale, Math.abs(w[i]));
            err = Math.max(err, Math.abs(w[i] - o[i]));
        }
        assertTrue(scale > 0, "reference output is all zeros");
        return err / scale;
    }

    private static void assertSameOutputs(Module model, InferenceModel opt, int[] shape, int... batches) {
        Generator g = Generator.seeded(99);
        for (int b : batches) {
            int[] s = shape.clone();
            s[0] = b;
            Tensor x = Tensor.randn(g, s);
            Tensor want;
            try (var _ = Tensor.noGrad()) {
                want = model.forward(x);
            }
            double rel = relativeError(want, opt.forward(x));
            assertTrue(rel < 1e-4, "batch " + b + ": relative error " + rel);
        }
    }

    @Test
    void resnet18GivesTheOriginalOutputsWithEveryBatchNormFoldedAndEpiloguesFused() {
        Generator g = Generator.seeded(5);
        ResNet net = ResNet.resnet18(3, 10, g);
        randomizeBatchNorms(net, g);
        net.eval();
        Map<String, Tensor> before = net.stateDict();
        double[] w0 = before.get("layer1.0.bn1.running_var").toDoubleArray();
        double[] c0 = before.get("layer2.0.conv1.weight").toDoubleArray();

        InferenceModel m = InferenceOptimizer.optimize(net, Tensor.randn(g, 2, 3, 32, 32));
        Map<String, Integer> ops = m.opCounts();
        assertNull(ops.get("batch_norm"), ops.toString());
        assertNull(ops.get("relu"), ops.toString());
        assertNull(ops.get("add"), ops.toString());
        // stem + two per basic block; the three downsample convolutions keep a plain conv2d with the folded bias
        assertEquals(17, ops.get("conv2d_fused"), ops.toString());
        assertEquals(3, ops.get("conv2d"), ops.toString());
        assertSameOutputs(net, m, new int[] {2, 3, 32, 32}, 2, 3, 1);

        // the original is untouched: same weights and statistics, same mode
        assertArrayEquals(w0, net.stateDict().get("layer1.0.bn1.running_var").toDoubleArray());
        assertArrayEquals(c0, net.stateDict().get("layer2.0.conv1.weight").toDoubleArray());
        assertFalse(net.isTraining());
    }

    @Test
    void smallCnnWithBatchNormMatchesAndTrainingModeIsRestored() {
        Generator g = Generator.seeded(6);
        Sequential net = new Sequential(new Conv2d(2, 8, 3, 1, 1, true, g), new BatchNorm2d(8), new ReLU(),
                new Conv2d(8, 6, 3, 2, 1, false, g), new BatchNorm2d(6), new ReLU(), new Flatten(), new Linear(6 * 4 * 4, 5, true, g));
        randomizeBatchNorms(net, g);
        net.train();
        InferenceModel m = InferenceOptimizer.optimize(net, Tensor.randn(g, 4, 2, 8, 8));
        assertTrue(net.isTraining(), "the optimizer must restore the model's mode");
        assertEquals(Map.of("conv2d_fused", 2, "view", 1, "linear", 1), m.opCounts());
        net.eval();
        assertSameOutputs(net, m, new int[] {4, 2, 8, 8}, 4, 7);
    }

    @Test
    void withoutPassesTheTraceReplaysTheOriginalOps() {
        Generator g = Generator.seeded(7);
        Sequential net = new Sequential(new Conv2d(2, 4, 3, 1, 1, true, g), new BatchNorm2d(4), new ReLU());
        randomizeBatchNorms(net, g);
        net.eval();
        InferenceModel m = InferenceOptimizer.optimize(net, Tensor.randn(g, 2, 2, 6, 6), java.util.Set.of());
        assertEquals(Map.of("conv2d", 1, "batch_norm", 1, "relu", 1), m.opCounts());
        assertSameOutputs(net, m, new int[] {2, 2, 6, 6}, 2, 5);
    }

    @Test
    void aModelOptimizedInsideAMemoryScopeOutlivesIt() {
        Generator g = Generator.seeded(13);
        Sequential net = new Sequential(new Conv2d(2, 4, 3, 1, 1, true, g), new BatchNorm2d(4), new ReLU());
        randomizeBatchNorms(net, g);
        net.eval();
        InferenceModel m;
        try (var scope = MemoryScope.open("optimize")) {
            m = InferenceOptimizer.optimize(net, Tensor.randn(g, 2, 2, 6, 6));
        }
        // the folded weights were made inside the scope; the model keeps them
        assertSameOutputs(net, m, new int[] {2, 2, 6, 6}, 2, 3);
    }

    @Test
    void foldingFormulaMatchesAHandComputation() {
        // two output channels, one input channel, 1x2 kernels
        Tensor w = Tensor.of(new float[] {1, 2, -3, 4}, 2, 1, 1, 2);
        Tensor b = Tensor.of(new float[] {0.5f, -1});
        Tensor mean = Tensor.of(new float[] {1, -2}), var = Tensor.of(new float[] {3, 0.25f});
        Tensor gamma = Tensor.of(new float[] {2, -1}), beta = Tensor.of(new float[] {0.1f, 0.2f});
        double eps = 1;
        Tensor[] f = BatchNormFolding.fold(w, b, mean, var, gamma, beta, eps);
        // s0 = 2 / sqrt(3 + 1) = 1; s1 = -1 / sqrt(0.25 + 1) = -0.894427191
        double s1 = -1 / Math.sqrt(1.25);
        assertArrayEquals(new double[] {1, 2, -3 * s1, 4 * s1}, f[0].toDoubleArray(), 1e-6);
        // b0 = (0.5 - 1) * 1 + 0.1 = -0.4; b1 = (-1 + 2) * s1 + 0.2
        assertArrayEquals(new double[] {-0.4, s1 + 0.2}, f[1].toDoubleArray(), 1e-6);
        assertArrayEquals(new int[] {2, 1, 1, 2}, f[0].shape());

        // no conv bias and no affine parameters: b' = -mean / sqrt(var + eps)
        Tensor[] g = BatchNormFolding.fold(w, null, mean, var, null, null, eps);
        assertArrayEquals(new double[] {-1 / 2.0, 2 / Math.sqrt(1.25)}, g[1].toDoubleArray(), 1e-6);
        assertArrayEquals(new double[] {0.5, 1, -3 / Math.sqrt(1.25), 4 / Math.sqrt(1.25)}, g[0].toDoubleArray(), 1e-6);
    }

    /** conv -> bn, with the convolution's output read again by the add: folding would change what the add sees. */
    static final class ConvReadTwice extends Module {
        final Conv2d conv;
        final BatchNorm2d bn;

        ConvReadTwice(Generator g) {
            conv = register("conv", new Conv2d(3, 3, 3, 1, 1, true, g));
            bn = register("bn", new BatchNorm2d(3));
        }

        @Override
        public Tensor forward(Tensor x) {
            Tensor c = conv.forward(x);
            return bn.forward(c).add(c).relu();
        }
    }

    /** conv -> bn whose output is read twice (by the relu and by the add). */
    static final class BatchNormReadTwice extends Module {
        final Conv2d conv;
        final BatchNorm2d bn;

        BatchNormReadTwice(Generator g) {
            conv = register("conv", new Conv2d(3, 3, 3, 1, 1, true, g));
            bn = register("bn", new BatchNorm2d(3));
        }

        @Override
        public Tensor forward(Tensor x) {
            Tensor y = bn.forward(conv.forward(x));
            return y.relu().add(y);
        }
    }

    @Test
    void aConvolutionReadByMoreThanItsBatchNormIsNotFolded() {
        Generator g = Generator.seeded(8);
        ConvReadTwice net = new ConvReadTwice(g);
        randomizeBatchNorms(net, g);
        net.eval();
        InferenceModel m = InferenceOptimizer.optimize(net, Tensor.randn(g, 2, 3, 5, 5));
        assertEquals(1, m.opCounts().get("batch_norm"), m.opCounts().toString());
        assertEquals(1, m.opCounts().get("conv2d"), m.opCounts().toString());
        assertSameOutputs(net, m, new int[] {2, 3, 5, 5}, 2, 3);
    }

    @Test
    void aBatchNormReadTwiceIsFoldedButItsReadersAreNotFused() {
        Generator g = Generator.seeded(9);
        BatchNormReadTwice net = new BatchNormReadTwice(g);
        randomizeBatchNorms(net, g);
        net.eval();
        InferenceModel m = InferenceOptimizer.optimize(net, Tensor.randn(g, 2, 3, 5, 5));
        // the folded convolution's output has two readers, so neither the relu nor the add joins it
        assertEquals(Map.of("conv2d", 1, "relu", 1, "add", 1), m.opCounts());
        assertSameOutputs(net, m, new int[] {2, 3, 5, 5}, 2, 4);
    }

    @Test
    void anInputWithOtherNonBatchDimensionsIsRefused() {
        Generator g = Generator.seeded(10);
        Sequential net = new Sequential(new Conv2d(2, 4, 3, 1, 1, true, g), new ReLU(), new Flatten(), new Linear(4 * 6 * 6, 3, true, g));
        InferenceModel m = InferenceOptimizer.optimize(net, Tensor.randn(g, 2, 2, 6, 6));
        var e = assertThrows(IllegalArgumentException.class, () -> m.forward(Tensor.randn(g, 2, 2, 7, 6)));
        assertTrue(e.getMessage().contains("[2, 2, 7, 6]") && e.getMessage().contains("[N, 2, 6, 6]"), e.getMessage());
    }

    /** Uses the batch size in the forward: a tensor made from x.shape(0) is frozen by the trace. */
    static final class BatchSizedConstant extends Module {
        @Override
        public Tensor forward(Tensor x) {
            return x.flatten(1, -1).add(Tensor.ones(x.shape(0), 1));
        }
    }

    @Test
    void aForwardThatFreezesTheBatchSizeFailsClearlyAtAnotherBatch() {
        Generator g = Generator.seeded(11);
        InferenceModel m = InferenceOptimizer.optimize(new BatchSizedConstant(), Tensor.randn(g, 3, 2, 2));
        assertEquals(12, m.forward(Tensor.randn(g, 3, 2, 2)).numel());
        var e = assertThrows(RuntimeException.class, () -> m.forward(Tensor.randn(g, 5, 2, 2)));
        assertTrue(e.getMessage().contains("add"), e.getMessage());
    }

    /** Changes a computed value in place, which the tracer does not see. */
    static final class InPlace extends Module {
        @Override
        public Tensor forward(Tensor x) {
            Tensor y = x.mul(2.0);
            y.add_(Tensor.ones(y.shape()));
            return y.relu();
        }
    }

    @Test
    void anInPlaceUpdateOfAComputedValueIsRefused() {
        var e = assertThrows(IllegalStateException.class,
                () -> InferenceOptimizer.optimize(new InPlace(), Tensor.randn(Generator.seeded(12), 2, 3)));
        assertTrue(e.getMessage().contains("changed in place"), e.getMessage());
    }
}
