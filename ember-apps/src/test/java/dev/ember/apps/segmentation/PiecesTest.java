package dev.ember.apps.segmentation;

import dev.ember.core.Tensor;
import dev.ember.core.random.Generator;
import dev.ember.train.data.Batch;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** Augmentation, loss, metric and scores against hand-computed values. */
class PiecesTest {

    private static Batch batch(int n, int h, int w) {
        float[] img = new float[n * h * w], mask = new float[n * h * w];
        for (int i = 0; i < img.length; i++) {
            img[i] = (i % w) + 0.5f * ((i / w) % h);
            mask[i] = (i % w) < w / 2 ? 1 : 0;
        }
        return new Batch(Tensor.of(img, n, 1, h, w), Tensor.of(mask, n, 1, h, w));
    }

    @Test
    void augmentationIsAFunctionOfTheGenerator() {
        Batch b = batch(6, 12, 10);
        SliceAugment aug = new SliceAugment(10, 0.1, 0.1, 0.1);
        Batch x = aug.apply(b, Generator.seeded(5)), y = aug.apply(b, Generator.seeded(5)), z = aug.apply(b, Generator.seeded(6));
        assertArrayEquals(x.input().toFloatArray(), y.input().toFloatArray());
        assertArrayEquals(x.target().toFloatArray(), y.target().toFloatArray());
        assertFalse(java.util.Arrays.equals(x.input().toFloatArray(), z.input().toFloatArray()));
        for (float v : x.target().toFloatArray()) assertTrue(v >= 0 && v <= 1, "mask value " + v);
    }

    @Test
    void withoutRotationScaleOrJitterItOnlyFlips() {
        Batch b = batch(16, 8, 6);
        Batch a = new SliceAugment(0, 0, 0, 0).apply(b, Generator.seeded(1));
        float[] in = b.input().toFloatArray(), out = a.input().toFloatArray(), mIn = b.target().toFloatArray(), mOut = a.target().toFloatArray();
        int flipped = 0;
        for (int i = 0; i < 16; i++) {
            boolean same = true, mirror = true;
            for (int y = 0; y < 8; y++) {
                for (int x = 0; x < 6; x++) {
                    int o = i * 48 + y * 6 + x, m = i * 48 + y * 6 + (5 - x);
                    same &= Math.abs(out[o] - in[o]) < 1e-5 && mOut[o] == mIn[o];
                    mirror &= Math.abs(out[o] - in[m]) < 1e-5 && mOut[o] == mIn[m];
                }
            }
            assertTrue(same || mirror, "image " + i + " is neither unchanged nor mirrored");
            if (mirror && !same) flipped++;
        }
        assertTrue(flipped > 2 && flipped < 14, "about half are flipped: " + flipped);
    }

    @Test
    void bceDiceLossMatchesAHandComputation() {
        Tensor logits = Tensor.of(new float[] {2f, -1f, 0.5f, -3f}, 1, 1, 2, 2);
        Tensor target = Tensor.of(new float[] {1f, 0f, 0f, 1f}, 1, 1, 2, 2);
        double bce = 0, pt = 0, ps = 0, ts = 0;
        float[] z = logits.toFloatArray(), t = target.toFloatArray();
        for (int i = 0; i < 4; i++) {
            double p = 1 / (1 + Math.exp(-z[i]));
            bce += -(t[i] * Math.log(p) + (1 - t[i]) * Math.log(1 - p));
            pt += p * t[i];
            ps += p;
            ts += t[i];
        }
        double expected = bce / 4 + 1 - (2 * pt + 1) / (ps + ts + 1);
        assertEquals(expected, BceDiceLoss.of(logits, target).item(), 1e-5);
        var e = assertThrows(IllegalArgumentException.class, () -> BceDiceLoss.of(logits, Tensor.zeros(2, 1, 2, 2)));
        assertTrue(e.getMessage().contains("[1, 1, 2, 2]") && e.getMessage().contains("[2, 1, 2, 2]"), e.getMessage());
    }

    @Test
    void diceMetricResizesLogitsToNativeTargets() {
        DiceMetric m = new DiceMetric();
        m.reset();
        // logits constant over a 2x2 output: the upsampled prediction is constant too
        Tensor logits = Tensor.of(new float[] {1f, 1f, -1f, -1f}, 1, 1, 2, 2);
        float[] t = new float[16];
        for (int i = 0; i < 8; i++) t[i] = 1;   // top half
        t[8] = 1;                                // one extra true pixel
        m.update(logits, new Batch(Tensor.zeros(1, 1, 2, 2), Tensor.of(t, 1, 1, 4, 4)));
        // prediction: rows 0-1 (8 pixels); truth 9 pixels; intersection 8
        assertEquals(2.0 * 8 / (8 + 9), m.value(), 1e-9);
    }

    @Test
    void scoresOverPixelsPerSliceAndWorst() {
        MaskScores s = new MaskScores();
        s.add(3, new byte[] {1, 1, 0, 0}, new byte[] {1, 0, 0, 0});   // dice 2/3, iou 1/2
        s.add(4, new byte[] {1, 1, 1, 1}, new byte[] {1, 1, 1, 1});   // dice 1
        s.add(5, new byte[] {0, 0, 0, 0}, new byte[] {0, 0, 0, 0});   // empty: dice 1
        assertEquals(2.0 * 5 / (6 + 5), s.dice(), 1e-12);
        assertEquals(5.0 / 6, s.iou(), 1e-12);
        assertEquals((2.0 / 3 + 1 + 1) / 3, s.meanSliceDice(), 1e-12);
        assertEquals(3, s.worst().z());
        assertEquals(0.5, s.worst().iou(), 1e-12);
    }
}
