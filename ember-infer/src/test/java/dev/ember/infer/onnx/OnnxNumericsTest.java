package dev.ember.infer.onnx;

import dev.ember.core.Tensor;
import dev.ember.core.random.Generator;
import dev.ember.infer.onnx.proto.Onnx.ModelProto;
import dev.ember.nn.Module;
import dev.ember.nn.zoo.Mlp;
import dev.ember.nn.zoo.SmallCnn;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Runs exported files through {@link MiniOnnxEvaluator}, which knows nothing of Ember, and
 * compares with Ember's own forward, at the traced batch size and at another one (the batch
 * dimension is symbolic).
 */
class OnnxNumericsTest {

    private static void assertReproduces(Module model, Path dir, int[] tracedShape, int otherBatch) throws Exception {
        Generator g = Generator.seeded(21);
        Path file = dir.resolve("m.onnx");
        OnnxExporter.export(model, file, Tensor.randn(g, tracedShape));
        ModelProto p = ModelProto.parseFrom(Files.readAllBytes(file));
        MiniOnnxEvaluator eval = new MiniOnnxEvaluator(p);
        for (int batch : new int[] {tracedShape[0], otherBatch}) {
            int[] shape = tracedShape.clone();
            shape[0] = batch;
            Tensor x = Tensor.randn(g, shape);
            Tensor want;
            try (var _ = Tensor.noGrad()) {
                want = model.forward(x);
            }
            MiniOnnxEvaluator.Arr got = eval.run(Map.of("input", new MiniOnnxEvaluator.Arr(shape, x.toFloatArray()))).get("output");
            assertArrayEquals(want.shape(), got.shape(), "batch " + batch);
            float[] w = want.toFloatArray();
            for (int i = 0; i < w.length; i++) {
                assertEquals(w[i], got.data()[i], 1e-4 * Math.max(1, Math.abs(w[i])), "batch " + batch + ", element " + i);
            }
        }
    }

    @Test
    void mlpFileComputesWhatEmberComputes(@TempDir Path dir) throws Exception {
        assertReproduces(new Mlp(Generator.seeded(22), 30, 24, 16, 5).eval(), dir, new int[] {3, 30}, 7);
    }

    @Test
    void smallCnnFileComputesWhatEmberComputes(@TempDir Path dir) throws Exception {
        assertReproduces(new SmallCnn(2, 6, 14, Generator.seeded(23)).eval(), dir, new int[] {2, 2, 14, 14}, 5);
    }
}
