package dev.ember.apps.recipes;

import dev.ember.core.Device;
import dev.ember.core.random.Generator;
import dev.ember.nn.F;
import dev.ember.nn.Module;
import dev.ember.train.data.DataLoader;
import dev.ember.train.data.TensorDataset;
import dev.ember.train.io.MnistDataset;
import dev.ember.train.optim.Adam;
import dev.ember.train.schedule.CosineLr;
import dev.ember.train.trainer.TopOneAccuracy;
import dev.ember.train.trainer.Trainer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Classifying 28x28 grey images in MNIST's file layout (MNIST, Fashion-MNIST): the last 5,000
 * training images are held out for validation, the model is trained with Adam and a cosine
 * schedule, and the kept model (best validation accuracy) is scored on the 10,000 test images.
 */
final class ImageClassificationRecipe implements Recipe {

    static final String[] MNIST_FILES = {"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
            "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"};
    private static final int VALIDATION = 5000;

    private final String name, description, dataFolder;
    private final double mean, std;
    private final Function<Generator, Module> model;
    private final int defaultEpochs, defaultBatch;
    private final double defaultLr;
    private final boolean flatten;

    ImageClassificationRecipe(String name, String description, String dataFolder, double mean, double std,
                              Function<Generator, Module> model, boolean flatten, int defaultEpochs, int defaultBatch, double defaultLr) {
        this.name = name;
        this.description = description;
        this.dataFolder = dataFolder;
        this.mean = mean;
        this.std = std;
        this.model = model;
        this.defaultEpochs = defaultEpochs;
        this.defaultBatch = defaultBatch;
        this.defaultLr = defaultLr;
        this.flatten = flatten;
    }

    @Override public String name() { return name; }
    @Override public String description() { return description; }

    @Override
    public Map<String, Object> run(RecipeOptions o) {
        withSettings(o.settings()); // rejects any
        long t0 = System.nanoTime();
        Path dir = DataLocator.find(dataFolder, o.data(), MNIST_FILES);
        TensorDataset all, test;
        try {
            all = normalized(MnistDataset.train(dir));
            test = normalized(MnistDataset.test(dir));
        } catch (IOException e) {
            throw new UncheckedIOException(e.getMessage(), e);
        }
        TensorDataset train = all.subset(0, all.size() - VALIDATION), val = all.subset(all.size() - VALIDATION, all.size());
        if (o.limit() != null) {
            int n = Math.min(o.limit(), train.size());
            train = train.subset(0, n);
            val = val.subset(0, Math.min(val.size(), Math.max(500, n / 10)));
        }
        int epochs = o.epochsOr(defaultEpochs), batch = o.batchSizeOr(defaultBatch);
        Device device = o.device();
        Generator.manualSeed(o.seed());
        Module net = model.apply(Generator.seeded(o.seed())).to(device);
        Adam opt = new Adam(net.parameters(), o.lrOr(defaultLr));
        DataLoader trainLoader = DataLoader.builder(train).batchSize(batch).shuffle(true).seed(o.seed()).build();
        DataLoader valLoader = DataLoader.builder(val).batchSize(512).build();
        DataLoader testLoader = DataLoader.builder(test).batchSize(512).build();
        Path out = o.out() != null ? o.out() : Path.of("runs", name);
        Trainer trainer = Trainer.builder()
                .model(net).optimizer(opt)
                .loss((logits, b) -> F.crossEntropy(logits, b.target()))
                .scheduler(new CosineLr(opt, (long) epochs * trainLoader.batchesPerEpoch(), 0), true)
                .metrics(TopOneAccuracy::new)
                .device(device).epochs(epochs).outDir(out)
                .checkpointEvery(200)
                .monitor("val_accuracy", true, 0)
                .progressBar()
                .build();
        if (o.resume() && trainer.resumeFromLatest()) {
            System.err.println("resuming from the latest checkpoint in " + out.resolve("checkpoints"));
        }
        try (trainLoader; valLoader; testLoader) {
            trainer.fit(trainLoader, valLoader);
            try {
                dev.ember.nn.io.SafeTensors.loadModule(net, out.resolve("best.safetensors"), true);
            } catch (IOException e) {
                throw new UncheckedIOException("could not reload the best model: " + e.getMessage(), e);
            }
            Map<String, Double> testMetrics = trainer.evaluate(testLoader);
            var last = trainer.state().history.get(trainer.state().history.size() - 1);
            Map<String, Object> r = new LinkedHashMap<>();
            r.put("recipe", name);
            r.put("test_accuracy", testMetrics.get("accuracy"));
            r.put("test_loss", testMetrics.get("loss"));
            r.put("val_accuracy", trainer.state().bestValue);
            r.put("kept_model", "best on validation (epoch " + (trainer.state().bestEpoch + 1) + ")");
            r.put("epochs", epochs);
            r.put("train_loss", last.get("train_loss"));
            r.put("wall_seconds", Math.round((System.nanoTime() - t0) / 1e8) / 10.0);
            r.put("device", device.toString());
            r.put("out", out.toString());
            return r;
        }
    }

    private TensorDataset normalized(TensorDataset d) {
        var x = d.inputs().sub(mean).div(std);
        return new TensorDataset(flatten ? x.reshape(x.shape(0), -1) : x, d.targets());
    }

}
