package dev.ember.train.io;

import dev.ember.core.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ImageReaderTest {

    @TempDir Path tmp;

    @Test
    void greyPngExactValues() throws IOException {
        BufferedImage img = new BufferedImage(3, 2, BufferedImage.TYPE_BYTE_GRAY);
        int[] values = {0, 51, 102, 153, 204, 255};
        img.getRaster().setPixels(0, 0, 3, 2, values);
        Path f = tmp.resolve("g.png");
        ImageIO.write(img, "png", f.toFile());
        Tensor t = ImageReader.read(f, ImageReader.Mode.AUTO);
        assertArrayEquals(new int[] {1, 2, 3}, t.shape());
        float[] expect = new float[6];
        for (int i = 0; i < 6; i++) expect[i] = values[i] / 255f;
        assertArrayEquals(expect, t.toFloatArray(), 1e-7f);
        Tensor rgb = ImageReader.read(f, ImageReader.Mode.RGB);
        assertArrayEquals(new int[] {3, 2, 3}, rgb.shape());
        assertArrayEquals(expect, Arrays.copyOfRange(rgb.toFloatArray(), 12, 18), 1e-7f);
    }

    @Test
    void rgbPngChannelsFirst() throws IOException {
        BufferedImage img = new BufferedImage(2, 1, BufferedImage.TYPE_INT_RGB);
        img.setRGB(0, 0, 0xFF0080);
        img.setRGB(1, 0, 0x00FF33);
        Path f = tmp.resolve("c.png");
        ImageIO.write(img, "png", f.toFile());
        Tensor t = ImageReader.read(f, ImageReader.Mode.AUTO);
        assertArrayEquals(new int[] {3, 1, 2}, t.shape());
        assertArrayEquals(new float[] {1, 0, 0, 1, 128 / 255f, 0x33 / 255f}, t.toFloatArray(), 1e-7f);
        Tensor g = ImageReader.read(f, ImageReader.Mode.GRAY);
        assertEquals(0.299f + 0.114f * 128 / 255f, g.toFloatArray()[0], 1e-6f);
    }

    @Test
    void jpegReadsApproximately() throws IOException {
        BufferedImage img = new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 16; y++) for (int x = 0; x < 16; x++) img.setRGB(x, y, 0x808080);
        Path f = tmp.resolve("p.jpg");
        ImageIO.write(img, "jpeg", f.toFile());
        Tensor t = ImageReader.read(f, ImageReader.Mode.RGB);
        assertArrayEquals(new int[] {3, 16, 16}, t.shape());
        for (float v : t.toFloatArray()) assertEquals(128 / 255f, v, 3 / 255f);
    }

    @Test
    void corruptAndTruncatedImagesNameFileAndOffset() throws IOException {
        BufferedImage img = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 64; y++) for (int x = 0; x < 64; x++) img.setRGB(x, y, (x * 4) << 16 | (y * 4) << 8 | ((x ^ y) * 4));
        for (String format : new String[] {"png", "jpeg"}) {
            Path whole = tmp.resolve("whole." + format);
            ImageIO.write(img, format, whole.toFile());
            byte[] b = Files.readAllBytes(whole);
            Path cut = Files.write(tmp.resolve("cut." + format), Arrays.copyOf(b, b.length / 2));
            CorruptFileException e = assertThrows(CorruptFileException.class, () -> ImageReader.read(cut, ImageReader.Mode.RGB), format);
            assertTrue(e.getMessage().contains(cut.toString()) && e.getMessage().contains("byte offset"), e.getMessage());
            assertTrue(e.offset() >= 0, format + " offset " + e.offset());
        }
        Path junk = Files.write(tmp.resolve("junk.png"), new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        CorruptFileException e = assertThrows(CorruptFileException.class, () -> ImageReader.read(junk, ImageReader.Mode.RGB));
        assertEquals(0, e.offset());
    }
}
