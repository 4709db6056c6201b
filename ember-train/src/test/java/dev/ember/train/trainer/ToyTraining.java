package dev.ember.train.trainer;

import dev.ember.core.Tensor;
import dev.ember.core.random.Generator;
import dev.ember.nn.F;
import dev.ember.nn.layers.Dropout;
import dev.ember.nn.layers.Linear;
import dev.ember.nn.layers.ReLU;
import dev.ember.nn.layers.Sequential;
import dev.ember.train.data.DataLoader;
import dev.ember.train.data.TensorDataset;
import dev.ember.train.optim.Adam;
import dev.ember.train.schedule.CosineLr;

import java.nio.file.Path;
import java.util.Map;

/**
 * A small but complete training run (shuffled loader, dropout drawing from the global
 * generator, Adam, a per-batch cosine schedule, checkpoints every 3 steps), run as its own
 * process by {@link KillAndResumeTest}: {@code ToyTraining OUT_DIR [resume] [slow]}.
 */
public final class ToyTraining {

    static final int EPOCHS = 4;

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args[0]);
        boolean resume = args.length > 1 && args[1].equals("resume");
        boolean slow = args.length > 2 && args[2].equals("slow");
        run(out, resume, slow);
        System.out.println("done");
    }

    static void run(Path out, boolean resume, boolean slow) {
        Generator.manualSeed(11);
        Generator data = Generator.seeded(5);
        Tensor x = Tensor.randn(data, 120, 8);
        Tensor y = x.matmul(Tensor.randn(data, 8, 3)).argmax(1, false);
        Sequential model = new Sequential(new Linear(8, 32, true, Generator.seeded(1)), new ReLU(), new Dropout(0.2),
                new Linear(32, 3, true, Generator.seeded(2)));
        Adam opt = Adam.adamW(model.parameters(), 0.01, 0.01);
        DataLoader loader = DataLoader.builder(new TensorDataset(x, y)).batchSize(16).shuffle(true).seed(3).prefetch(1).build();
        Trainer t = Trainer.builder()
                .model(model).optimizer(opt)
                .loss((out1, b) -> F.crossEntropy(out1, b.target()))
                .scheduler(new CosineLr(opt, (long) EPOCHS * loader.batchesPerEpoch(), 0), true)
                .metrics(TopOneAccuracy::new)
                .epochs(EPOCHS).outDir(out).checkpointEvery(3).keepCheckpoints(2)
                .callback(new TrainerCallback() {
                    @Override
                    public void onBatchEnd(Trainer tr, int epoch, int batch, double loss) {
                        System.out.println("step " + tr.state().globalStep + " epoch " + epoch + " batch " + batch);
                        System.out.flush();
                        if (slow) {
                            try {
                                Thread.sleep(150);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        }
                    }
                })
                .build();
        if (resume && !t.resumeFromLatest()) throw new IllegalStateException("no checkpoint to resume from in " + out);
        try (loader) {
            t.fit(loader, null);
        }
    }

    static Map<String, Tensor> weights(Path out) throws Exception {
        return dev.ember.nn.io.SafeTensors.load(out.resolve("model.safetensors"));
    }
}
