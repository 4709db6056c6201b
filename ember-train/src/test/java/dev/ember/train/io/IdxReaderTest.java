package dev.ember.train.io;

import dev.ember.core.DType;
import dev.ember.core.Tensor;
import dev.ember.train.data.Batch;
import dev.ember.train.data.TensorDataset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IdxReaderTest {

    @TempDir Path tmp;

    @Test
    void mnistTrainAndTestSplits() throws IOException {
        Path dir = SharedDatasets.dir().resolve("mnist");
        TensorDataset train = MnistDataset.train(dir);
        assertEquals(60000, train.size());
        assertArrayEquals(new int[] {60000, 1, 28, 28}, train.inputs().shape());
        assertEquals(DType.F32, train.inputs().dtype());
        assertEquals(DType.I64, train.targets().dtype());
        assertArrayEquals(new long[] {5, 0, 4, 1, 9}, Arrays.copyOf(train.targets().toLongArray(), 5));

        TensorDataset test = MnistDataset.test(dir);
        assertEquals(10000, test.size());
        assertArrayEquals(new long[] {7, 2, 1, 0, 4}, Arrays.copyOf(test.targets().toLongArray(), 5));

        Batch first = test.get(new int[] {0});
        float[] px = first.input().toFloatArray();
        float min = Float.MAX_VALUE, max = -Float.MAX_VALUE;
        for (float v : px) { min = Math.min(min, v); max = Math.max(max, v); }
        assertEquals(0f, min);
        assertEquals(1f, max, 1e-6f, "a digit has at least one fully white pixel (255 / 255)");
        // the corner of an MNIST digit is background
        assertEquals(0f, px[0]);
    }

    @Test
    void fashionMnistCounts() throws IOException {
        Path dir = SharedDatasets.dir().resolve("fashion-mnist");
        TensorDataset train = MnistDataset.train(dir);
        TensorDataset test = MnistDataset.test(dir);
        assertEquals(60000, train.size());
        assertEquals(10000, test.size());
        long[] counts = new long[10];
        for (long y : test.targets().toLongArray()) counts[(int) y]++;
        for (long c : counts) assertEquals(1000, c, "Fashion-MNIST's test split has 1000 images per class");
    }

    @Test
    void rawTypesAndLabels() throws IOException {
        Path labels = SharedDatasets.file("mnist/t10k-labels-idx1-ubyte.gz");
        Tensor raw = IdxReader.read(labels);
        assertEquals(DType.U8, raw.dtype());
        assertArrayEquals(new int[] {10000}, raw.shape());
        IdxReader.Header h = IdxReader.header(SharedDatasets.file("mnist/t10k-images-idx3-ubyte.gz"));
        assertEquals(0x08, h.typeCode());
        assertArrayEquals(new int[] {10000, 28, 28}, h.dims());
        assertEquals(16, h.dataOffset());
    }

    @Test
    void bigEndianIntAndFloatArrays() throws IOException {
        // 0x0C int32 [2, 2] and 0x0D float32 [3], written by hand in big-endian order
        byte[] ints = {0, 0, 0x0C, 2, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 1, -1, -1, -1, -2, 0, 0, 1, 0, 0x7F, -1, -1, -1};
        Path pi = Files.write(tmp.resolve("ints.idx"), ints);
        Tensor ti = IdxReader.read(pi);
        assertEquals(DType.I32, ti.dtype());
        assertArrayEquals(new int[] {1, -2, 256, Integer.MAX_VALUE}, ti.toIntArray());
        byte[] floats = {0, 0, 0x0D, 1, 0, 0, 0, 3, 0x3F, (byte) 0x80, 0, 0, (byte) 0xC0, 0, 0, 0, 0, 0, 0, 0};
        Tensor tf = IdxReader.read(Files.write(tmp.resolve("floats.idx"), floats));
        assertArrayEquals(new float[] {1f, -2f, 0f}, tf.toFloatArray());
    }

    @Test
    void badMagicNamesFileAndOffset() throws IOException {
        byte[] data = gunzip(Files.readAllBytes(SharedDatasets.file("mnist/t10k-labels-idx1-ubyte.gz")));
        data[0] = 0x12;
        Path bad = Files.write(tmp.resolve("bad-magic-idx1-ubyte"), data);
        CorruptFileException e = assertThrows(CorruptFileException.class, () -> IdxReader.read(bad));
        assertTrue(e.getMessage().contains(bad.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("byte offset 0"), e.getMessage());
        assertEquals(0, e.offset());

        data[0] = 0;
        data[2] = 0x42;
        Path badType = Files.write(tmp.resolve("bad-type"), data);
        CorruptFileException e2 = assertThrows(CorruptFileException.class, () -> IdxReader.read(badType));
        assertEquals(2, e2.offset());
        assertTrue(e2.getMessage().contains("0x42"), e2.getMessage());
    }

    @Test
    void truncatedRawFileNamesFileAndOffset() throws IOException {
        byte[] data = gunzip(Files.readAllBytes(SharedDatasets.file("mnist/t10k-images-idx3-ubyte.gz")));
        Path cut = Files.write(tmp.resolve("t10k-images-idx3-ubyte"), Arrays.copyOf(data, 5000));
        CorruptFileException e = assertThrows(CorruptFileException.class, () -> IdxReader.readScaled(cut));
        assertTrue(e.getMessage().contains(cut.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
        assertTrue(e.getMessage().contains("byte offset 16"), e.getMessage());
        assertTrue(e.getMessage().contains("ends at 5000"), e.getMessage());

        Path header = Files.write(tmp.resolve("short-header"), Arrays.copyOf(data, 9));
        CorruptFileException e2 = assertThrows(CorruptFileException.class, () -> IdxReader.read(header));
        assertTrue(e2.getMessage().contains("size of dimension 1"), e2.getMessage());
        assertEquals(8, e2.offset());
    }

    @Test
    void truncatedGzipNamesFileAndDecompressedOffset() throws IOException {
        byte[] gz = Files.readAllBytes(SharedDatasets.file("mnist/t10k-images-idx3-ubyte.gz"));
        Path cut = Files.write(tmp.resolve("t10k-images-idx3-ubyte.gz"), Arrays.copyOf(gz, gz.length / 2));
        CorruptFileException e = assertThrows(CorruptFileException.class, () -> IdxReader.readScaled(cut));
        assertTrue(e.getMessage().contains(cut.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("gzip"), e.getMessage());
        assertTrue(e.offset() > 0, "offset reached in the decompressed data: " + e.offset());
        assertTrue(e.getMessage().contains("byte offset " + e.offset()), e.getMessage());
    }

    @Test
    void trailingBytesAreReported() throws IOException {
        byte[] data = gunzip(Files.readAllBytes(SharedDatasets.file("mnist/t10k-labels-idx1-ubyte.gz")));
        Path longer = Files.write(tmp.resolve("longer"), Arrays.copyOf(data, data.length + 3));
        CorruptFileException e = assertThrows(CorruptFileException.class, () -> IdxReader.read(longer));
        assertEquals(8 + 10000, e.offset());
        assertTrue(e.getMessage().contains("3 unexpected bytes"), e.getMessage());
    }

    @Test
    void missingMnistFileSaysWhichAndWhere() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("partial"));
        Files.copy(SharedDatasets.file("mnist/t10k-images-idx3-ubyte.gz"), dir.resolve("t10k-images-idx3-ubyte.gz"));
        NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> MnistDataset.test(dir));
        assertTrue(e.getMessage().contains("t10k-labels-idx1-ubyte.gz"), e.getMessage());
        assertTrue(e.getMessage().contains(dir.toAbsolutePath().toString()), e.getMessage());
    }

    @Test
    void rawUncompressedFilesLoadToo() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("raw"));
        for (String f : new String[] {"t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"}) {
            Files.write(dir.resolve(f), gunzip(Files.readAllBytes(SharedDatasets.file("mnist/" + f + ".gz"))));
        }
        TensorDataset test = MnistDataset.test(dir);
        assertEquals(10000, test.size());
        assertEquals(7, test.targets().toLongArray()[0]);
    }

    static byte[] gunzip(byte[] gz) throws IOException {
        try (var in = new GZIPInputStream(new java.io.ByteArrayInputStream(gz))) {
            return in.readAllBytes();
        }
    }

    static byte[] gzip(byte[] raw) throws IOException {
        ByteArrayOutputStream bo = new ByteArrayOutputStream();
        try (var out = new GZIPOutputStream(bo)) {
            out.write(raw);
        }
        return bo.toByteArray();
    }
}
