package dev.ember.train.io;

import dev.ember.core.Tensor;
import dev.ember.train.data.TensorDataset;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Loads MNIST-layout directories (MNIST, Fashion-MNIST, KMNIST...): the four files
 * {@code train-images-idx3-ubyte}, {@code train-labels-idx1-ubyte}, {@code t10k-images-idx3-ubyte},
 * {@code t10k-labels-idx1-ubyte}, each optionally with a {@code .gz} suffix. Images come out as
 * f32 [N, 1, H, W] in [0, 1] and labels as i64 [N].
 *
 * <pre>{@code
 * TensorDataset train = MnistDataset.train(Path.of("data/mnist"));
 * TensorDataset test = MnistDataset.test(Path.of("data/mnist"));
 * }</pre>
 */
public final class MnistDataset {

    private MnistDataset() {}

    /** The 60,000-image training split (for MNIST and Fashion-MNIST). */
    public static TensorDataset train(Path dir) throws IOException { return load(dir, "train"); }

    /** The 10,000-image test split (files prefixed {@code t10k}). */
    public static TensorDataset test(Path dir) throws IOException { return load(dir, "t10k"); }

    private static TensorDataset load(Path dir, String prefix) throws IOException {
        Path imagesFile = find(dir, prefix + "-images-idx3-ubyte");
        Path labelsFile = find(dir, prefix + "-labels-idx1-ubyte");
        Tensor images = IdxReader.readScaled(imagesFile);
        Tensor labels = IdxReader.readLabels(labelsFile);
        if (images.dim() != 3) {
            throw CorruptFileException.atOffset(imagesFile, 3, "expected 3 dimensions [N, H, W], found shape "
                    + Arrays.toString(images.shape()));
        }
        if (labels.dim() != 1 || labels.shape(0) != images.shape(0)) {
            throw CorruptFileException.atOffset(labelsFile, 4, "labels of shape " + Arrays.toString(labels.shape())
                    + " do not match " + images.shape(0) + " images in " + imagesFile);
        }
        return new TensorDataset(images.view(images.shape(0), 1, images.shape(1), images.shape(2)), labels);
    }

    private static Path find(Path dir, String stem) throws NoSuchFileException {
        Path gz = dir.resolve(stem + ".gz");
        if (Files.isRegularFile(gz)) return gz;
        Path raw = dir.resolve(stem);
        if (Files.isRegularFile(raw)) return raw;
        throw new NoSuchFileException(gz.toAbsolutePath().toString(), null, "MNIST-layout file " + stem + ".gz (or " + stem
                + ") is missing; looked in " + dir.toAbsolutePath() + (Files.isDirectory(dir) ? "" : ", which is not a directory"));
    }
}
