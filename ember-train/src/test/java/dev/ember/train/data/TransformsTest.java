package dev.ember.train.data;

import dev.ember.core.DType;
import dev.ember.core.Tensor;
import dev.ember.core.random.Generator;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TransformsTest {

    static Batch images(float[] px, int... shape) {
        return new Batch(Tensor.of(px, shape), Tensor.zeros(DType.I64, dev.ember.core.Device.CPU, shape[0]));
    }

    @Test
    void normalizePerChannel() {
        Batch b = images(new float[] {1, 2, 3, 4, 10, 20, 30, 40}, 1, 2, 2, 2);
        Batch out = new Normalize(new double[] {2, 20}, new double[] {0.5, 10}).apply(b, Generator.seeded(0));
        assertArrayEquals(new float[] {-2, 0, 2, 4, -1, 0, 1, 2}, out.input().toFloatArray(), 1e-6f);
        Batch u8 = new Batch(Tensor.of(new byte[] {0, (byte) 255}, DType.U8, 1, 1, 1, 2), b.target());
        Batch n = new Normalize(new double[] {0}, new double[] {255}).apply(u8, Generator.seeded(0));
        assertEquals(DType.F32, n.input().dtype());
        assertArrayEquals(new float[] {0, 1}, n.input().toFloatArray(), 1e-6f);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Normalize(new double[] {0, 0, 0}, new double[] {1, 1, 1}).apply(b, Generator.seeded(0)));
        assertTrue(e.getMessage().contains("[1, 2, 2, 2]") && e.getMessage().contains("3 channel"), e.getMessage());
    }

    @Test
    void flipsAreExactAndDrawnPerImage() {
        Batch b = images(new float[] {1, 2, 3, 4, 5, 6}, 1, 1, 2, 3);
        assertArrayEquals(new float[] {3, 2, 1, 6, 5, 4}, new RandomHorizontalFlip(1).apply(b, Generator.seeded(0)).input().toFloatArray());
        assertArrayEquals(new float[] {4, 5, 6, 1, 2, 3}, new RandomVerticalFlip(1).apply(b, Generator.seeded(0)).input().toFloatArray());
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, new RandomHorizontalFlip(0).apply(b, Generator.seeded(0)).input().toFloatArray());

        int n = 400;
        float[] px = new float[n * 2];
        for (int i = 0; i < n; i++) { px[2 * i] = 0; px[2 * i + 1] = 1; }
        Batch many = images(px, n, 1, 1, 2);
        float[] a = new RandomHorizontalFlip(0.5).apply(many, Generator.seeded(9)).input().toFloatArray();
        float[] again = new RandomHorizontalFlip(0.5).apply(many, Generator.seeded(9)).input().toFloatArray();
        assertArrayEquals(a, again, "same generator seed, same flips");
        int flipped = 0;
        for (int i = 0; i < n; i++) if (a[2 * i] == 1) flipped++;
        assertTrue(flipped > 150 && flipped < 250, "about half flipped: " + flipped);
        Batch u8 = new Batch(Tensor.of(new byte[] {1, 2, 3}, DType.U8, 1, 1, 1, 3), many.target().narrow(0, 0, 1));
        Batch f = new RandomHorizontalFlip(1).apply(u8, Generator.seeded(0));
        assertEquals(DType.U8, f.input().dtype());
        assertArrayEquals(new byte[] {3, 2, 1}, f.input().toByteArray());
    }

    @Test
    void randomCropWindowsComeFromThePaddedImage() {
        float[] px = new float[9];
        for (int i = 0; i < 9; i++) px[i] = i + 1;   // 3x3: 1..9
        Batch b = images(px, 1, 1, 3, 3);
        boolean sawPadding = false, sawCentre = false;
        for (int seed = 0; seed < 40; seed++) {
            float[] out = new RandomCrop(3, 1).apply(b, Generator.seeded(seed)).input().toFloatArray();
            // find the offset this crop used, then check every pixel against a direct reference
            boolean matched = false;
            for (int top = -1; top <= 1 && !matched; top++) {
                for (int left = -1; left <= 1 && !matched; left++) {
                    boolean ok = true;
                    for (int y = 0; y < 3; y++) for (int x = 0; x < 3; x++) {
                        int sy = top + y, sx = left + x;
                        float expect = sy < 0 || sy > 2 || sx < 0 || sx > 2 ? 0 : px[sy * 3 + sx];
                        ok &= out[y * 3 + x] == expect;
                    }
                    if (ok) { matched = true; sawPadding |= top != 0 || left != 0; sawCentre |= top == 0 && left == 0; }
                }
            }
            assertTrue(matched, "seed " + seed + " crop is a window of the zero-padded image");
        }
        assertTrue(sawPadding && sawCentre);
        float[] x1 = new RandomCrop(2, 0).apply(b, Generator.seeded(4)).input().toFloatArray();
        assertArrayEquals(x1, new RandomCrop(2, 0).apply(b, Generator.seeded(4)).input().toFloatArray());
        assertArrayEquals(new int[] {1, 1, 2, 2}, new RandomCrop(2, 0).apply(b, Generator.seeded(4)).input().shape());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new RandomCrop(6, 1).apply(b, Generator.seeded(0)));
        assertTrue(e.getMessage().contains("5x5"), e.getMessage());
    }

    @Test
    void resizeBilinearMatchesHalfPixelReference() {
        Batch b = images(new float[] {1, 2, 3, 4}, 1, 1, 2, 2);
        float[] up = new Resize(4, 4).apply(b, Generator.seeded(0)).input().toFloatArray();
        // torch.nn.functional.interpolate(x, size=4, mode="bilinear", align_corners=False)
        assertArrayEquals(new float[] {
                1.00f, 1.25f, 1.75f, 2.00f,
                1.50f, 1.75f, 2.25f, 2.50f,
                2.50f, 2.75f, 3.25f, 3.50f,
                3.00f, 3.25f, 3.75f, 4.00f}, up, 1e-6f);
        float[] px = new float[16];
        for (int i = 0; i < 16; i++) px[i] = i;
        Batch four = images(px, 1, 1, 4, 4);
        assertArrayEquals(px, new Resize(4, 4).apply(four, Generator.seeded(0)).input().toFloatArray(), 1e-6f);
        // halving averages 2x2 blocks with half-pixel centres
        assertArrayEquals(new float[] {2.5f, 4.5f, 10.5f, 12.5f}, new Resize(2, 2).apply(four, Generator.seeded(0)).input().toFloatArray(), 1e-6f);
        assertArrayEquals(new int[] {1, 1, 3, 5}, new Resize(3, 5).apply(four, Generator.seeded(0)).input().shape());
    }

    @Test
    void composeAppliesInOrder() {
        Batch b = images(new float[] {1, 2, 3, 4}, 1, 1, 1, 4);
        Transform t = Transform.compose(new RandomHorizontalFlip(1), new Normalize(new double[] {1}, new double[] {2}));
        assertArrayEquals(new float[] {1.5f, 1f, 0.5f, 0f}, t.apply(b, Generator.seeded(0)).input().toFloatArray(), 1e-6f);
        assertFalse(new Compose().transforms().iterator().hasNext());
        assertThrows(IllegalArgumentException.class, () -> new RandomVerticalFlip(1.5));
    }
}
