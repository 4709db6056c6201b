package dev.ember.train.io;

import dev.ember.core.Tensor;

import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.stream.ImageInputStream;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Reads PNG and JPEG images (anything {@code javax.imageio} decodes) into an f32 tensor
 * [C, H, W] with values in [0, 1]. Grey images are read from their raster directly, so pixel
 * values are not gamma-converted; RGB to grey uses the ITU-R 601 weights (as PIL's "L").
 * Decoder errors and warnings (such as a JPEG that ends early) are errors naming the file and
 * the byte offset the decoder had reached.
 *
 * <pre>{@code
 * Tensor rgb = ImageReader.read(Path.of("cat.jpg"), ImageReader.Mode.RGB);    // [3, H, W]
 * Tensor grey = ImageReader.read(Path.of("digit.png"), ImageReader.Mode.GRAY); // [1, H, W]
 * }</pre>
 */
public final class ImageReader {

    private ImageReader() {}

    /** The channels wanted. */
    public enum Mode {
        /** One channel. */
        GRAY,
        /** Three channels, red, green, blue (alpha dropped). */
        RGB,
        /** One channel for grey images, three otherwise. */
        AUTO
    }

    public static Tensor read(Path file, Mode mode) throws IOException {
        BufferedImage img = decode(file);
        int w = img.getWidth(), h = img.getHeight();
        boolean grey = img.getColorModel().getNumColorComponents() == 1;
        int channels = switch (mode) {
            case GRAY -> 1;
            case RGB -> 3;
            case AUTO -> grey ? 1 : 3;
        };
        float[] out = new float[channels * h * w];
        int plane = h * w;
        if (grey) {
            Raster r = img.getRaster();
            double max = (1L << img.getColorModel().getComponentSize(0)) - 1;
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    float v = (float) (r.getSample(x, y, 0) / max);
                    for (int c = 0; c < channels; c++) out[c * plane + y * w + x] = v;
                }
            }
        } else {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int argb = img.getRGB(x, y);
                    float red = ((argb >> 16) & 0xFF) / 255f, green = ((argb >> 8) & 0xFF) / 255f, blue = (argb & 0xFF) / 255f;
                    if (channels == 1) {
                        out[y * w + x] = 0.299f * red + 0.587f * green + 0.114f * blue;
                    } else {
                        out[y * w + x] = red;
                        out[plane + y * w + x] = green;
                        out[2 * plane + y * w + x] = blue;
                    }
                }
            }
        }
        return Tensor.of(out, channels, h, w);
    }

    private static BufferedImage decode(Path file) throws IOException {
        if (!Files.exists(file)) throw new NoSuchFileException(file.toAbsolutePath().toString(), null, "image file not found");
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            if (in == null) throw new IOException(file + ": cannot open as an image stream");
            Iterator<javax.imageio.ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw CorruptFileException.atOffset(file, 0, "not a PNG, JPEG or other image format that javax.imageio can decode");
            }
            javax.imageio.ImageReader reader = readers.next();
            List<String> warnings = new ArrayList<>();
            try {
                reader.setInput(in, true, true);
                reader.addIIOReadWarningListener((source, message) -> warnings.add(message));
                ImageReadParam param = reader.getDefaultReadParam();
                BufferedImage img;
                try {
                    img = reader.read(0, param);
                } catch (IOException | RuntimeException e) {
                    throw CorruptFileException.atOffset(file, position(in), reader.getFormatName() + " data is corrupt or truncated ("
                            + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()) + ")", e);
                }
                if (!warnings.isEmpty()) {
                    throw CorruptFileException.atOffset(file, position(in), reader.getFormatName() + " decoder warned: " + String.join("; ", warnings));
                }
                return img;
            } finally {
                reader.dispose();
            }
        }
    }

    private static long position(ImageInputStream in) {
        try {
            return in.getStreamPosition();
        } catch (IOException e) {
            return -1;
        }
    }
}
