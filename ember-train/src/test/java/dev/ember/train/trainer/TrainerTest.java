package dev.ember.train.trainer;

import dev.ember.core.Tensor;
import dev.ember.core.random.Generator;
import dev.ember.nn.F;
import dev.ember.nn.layers.Linear;
import dev.ember.train.data.DataLoader;
import dev.ember.train.data.TensorDataset;
import dev.ember.train.optim.Sgd;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class TrainerTest {

    private static TensorDataset separable(int n, long seed) {
        Generator g = Generator.seeded(seed);
        Tensor x = Tensor.randn(g, n, 4);
        Tensor y = x.matmul(Tensor.of(new float[] {1, -1, 2, 0.5f, -1, 1, 0, 0}, 4, 2)).argmax(1, false);
        return new TensorDataset(x, y);
    }

    @Test
    void fitsWritesLogsCurvesAndTheBestModel(@TempDir Path out) throws Exception {
        Linear model = new Linear(4, 2, true, Generator.seeded(0));
        Trainer t = Trainer.builder().model(model).optimizer(new Sgd(model.parameters(), 0.5))
                .loss((o, b) -> F.crossEntropy(o, b.target())).metrics(TopOneAccuracy::new)
                .epochs(5).outDir(out).monitor("val_accuracy", true, 0).build();
        try (var train = DataLoader.builder(separable(256, 1)).batchSize(32).shuffle(true).seed(1).build();
             var val = DataLoader.builder(separable(128, 2)).batchSize(64).build()) {
            List<Map<String, Double>> h = t.fit(train, val);
            assertEquals(5, h.size());
            assertTrue(h.get(4).get("train_loss") < h.get(0).get("train_loss"), h.toString());
            assertTrue(h.get(4).get("val_accuracy") > 0.9, h.toString());
            Map<String, Double> eval = t.evaluate(val);
            assertEquals(h.get(4).get("val_accuracy"), eval.get("accuracy"), 1e-12);
        }
        for (String f : List.of("metrics.csv", "metrics.jsonl", "loss.png", "accuracy.png", "model.safetensors", "best.safetensors")) {
            assertTrue(Files.size(out.resolve(f)) > 0, f);
        }
        List<String> csv = Files.readAllLines(out.resolve("metrics.csv"));
        assertEquals(6, csv.size());
        assertTrue(csv.get(0).startsWith("epoch,train_loss,train_accuracy,val_loss,val_accuracy,lr"), csv.get(0));
        byte[] png = Files.readAllBytes(out.resolve("loss.png"));
        assertEquals((byte) 0x89, png[0]);
        assertEquals('P', png[1]);
        assertNotNull(new Checkpoints(out.resolve("checkpoints"), 2).latest());
    }

    @Test
    void earlyStoppingStopsAfterPatienceEpochsWithoutImprovement() {
        Linear model = new Linear(4, 2, true, Generator.seeded(0));
        // lr 0: nothing improves after the first epoch
        Trainer t = Trainer.builder().model(model).optimizer(new Sgd(model.parameters(), 0.0))
                .loss((o, b) -> F.crossEntropy(o, b.target())).metrics(TopOneAccuracy::new)
                .epochs(10).monitor("val_loss", false, 2).build();
        try (var train = DataLoader.builder(separable(64, 1)).batchSize(32).build();
             var val = DataLoader.builder(separable(64, 2)).batchSize(64).build()) {
            assertEquals(3, t.fit(train, val).size());
        }
    }

    @Test
    void divergenceIsReportedWithAHint() {
        Linear model = new Linear(4, 2, true, Generator.seeded(0));
        Trainer t = Trainer.builder().model(model).optimizer(new Sgd(model.parameters(), 1e30))
                .loss((o, b) -> o.sub(o.detach()).sum().add(o.mul(o).sum().mul(1e30).mul(1e30))).epochs(3).build();
        try (var train = DataLoader.builder(separable(64, 1)).batchSize(32).build()) {
            var e = assertThrows(IllegalStateException.class, () -> t.fit(train, null));
            assertTrue(e.getMessage().contains("diverged") && e.getMessage().contains("learning rate"), e.getMessage());
        }
    }
}
