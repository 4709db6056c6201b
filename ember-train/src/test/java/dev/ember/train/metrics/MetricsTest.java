package dev.ember.train.metrics;

import dev.ember.core.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MetricsTest {

    static Tensor longs(long... v) { return Tensor.of(v, v.length); }
    static Tensor floats(float... v) { return Tensor.of(v, v.length); }

    @Test
    void accuracyFromLabelsAndFromScoresOverBatches() {
        Accuracy acc = new Accuracy();
        acc.update(Tensor.of(new float[] {0.1f, 0.9f, 0.8f, 0.2f, 0.3f, 0.7f}, 3, 2), longs(1, 1, 1));
        assertEquals(2.0 / 3, acc.compute(), 1e-12);
        acc.update(longs(4, 5), longs(4, 0));
        assertEquals(3.0 / 5, acc.compute(), 1e-12);
        // segmentation scores [N, C, H, W] against [N, H, W]
        Accuracy seg = new Accuracy();
        Tensor scores = Tensor.of(new float[] {1, 0, 0, 1, /* class 1 */ 0, 1, 1, 0}, 1, 2, 2, 2);
        seg.update(scores, Tensor.of(new long[] {0, 1, 0, 0}, 1, 2, 2));
        assertEquals(0.75, seg.compute(), 1e-12);
        acc.reset();
        assertTrue(Double.isNaN(acc.compute()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> acc.update(Tensor.zeros(3, 2, 2), longs(1, 1)));
        assertTrue(e.getMessage().contains("[3, 2, 2]") && e.getMessage().contains("[2]"), e.getMessage());
    }

    @Test
    void confusionMatrixAndMacroScores() {
        ConfusionMatrix cm = new ConfusionMatrix(3);
        cm.update(longs(0, 2, 2), longs(0, 1, 2));
        cm.update(longs(1, 1), longs(2, 1));
        long[][] m = cm.compute();
        assertArrayEquals(new long[] {1, 0, 0}, m[0]);
        assertArrayEquals(new long[] {0, 1, 1}, m[1]);
        assertArrayEquals(new long[] {0, 1, 1}, m[2]);
        assertArrayEquals(new long[] {1, 0, 0, 0, 1, 1, 0, 1, 1}, cm.toTensor().toLongArray());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> cm.update(longs(3), longs(0)));
        assertTrue(e.getMessage().contains("prediction class 3"), e.getMessage());

        PrecisionRecallF1 macro = PrecisionRecallF1.macro(3);
        macro.update(longs(0, 2, 2, 1, 1), longs(0, 1, 2, 2, 1));
        PrecisionRecallF1.Scores s = macro.compute();
        assertEquals(2.0 / 3, s.precision(), 1e-12);
        assertEquals(2.0 / 3, s.recall(), 1e-12);
        assertEquals(2.0 / 3, s.f1(), 1e-12);
        assertEquals(1.0, macro.perClass(0).f1(), 1e-12);
    }

    @Test
    void binaryPrecisionRecallF1() {
        PrecisionRecallF1 prf = PrecisionRecallF1.binary();
        prf.update(longs(1, 1, 1), longs(1, 0, 0));
        prf.update(longs(1, 0), longs(1, 1));
        // tp 2, fp 2, fn 1
        PrecisionRecallF1.Scores s = prf.compute();
        assertEquals(0.5, s.precision(), 1e-12);
        assertEquals(2.0 / 3, s.recall(), 1e-12);
        assertEquals(2 * 0.5 * (2.0 / 3) / (0.5 + 2.0 / 3), s.f1(), 1e-12);
        PrecisionRecallF1 none = PrecisionRecallF1.binary();
        none.update(longs(0, 0), longs(0, 0));
        assertEquals(new PrecisionRecallF1.Scores(0, 0, 0), none.compute());
    }

    @Test
    void rocAucWithTiesAndAcrossBatches() {
        RocAuc auc = new RocAuc();
        auc.update(floats(0.1f, 0.4f), longs(0, 0));
        auc.update(floats(0.35f, 0.8f), longs(1, 1));
        assertEquals(0.75, auc.compute(), 1e-12);   // scikit-learn's roc_auc_score example

        RocAuc tied = new RocAuc();
        tied.update(floats(0.5f, 0.5f, 0.2f, 0.8f), longs(1, 0, 0, 1));
        // pairs (pos, neg): (0.5, 0.5) ties = 1/2, the other three are won: 3.5 / 4
        assertEquals(0.875, tied.compute(), 1e-12);

        RocAuc allTied = new RocAuc();
        allTied.update(floats(1, 1, 1, 1), longs(0, 1, 0, 1));
        assertEquals(0.5, allTied.compute(), 1e-12);

        RocAuc one = new RocAuc();
        one.update(floats(0.2f, 0.3f), longs(1, 1));
        IllegalStateException e = assertThrows(IllegalStateException.class, one::compute);
        assertTrue(e.getMessage().contains("0 negative"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> one.update(floats(0.2f), longs(2)));
    }

    @Test
    void rocAucMatchesPairCountingOnRandomData() {
        java.util.Random r = new java.util.Random(3);
        int n = 300;
        float[] s = new float[n];
        long[] y = new long[n];
        for (int i = 0; i < n; i++) { y[i] = r.nextInt(4) == 0 ? 1 : 0; s[i] = r.nextInt(20) / 20f + 0.3f * y[i]; }
        double wins = 0, pairs = 0;
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) {
            if (y[i] == 1 && y[j] == 0) { pairs++; wins += s[i] > s[j] ? 1 : s[i] == s[j] ? 0.5 : 0; }
        }
        RocAuc auc = new RocAuc();
        auc.update(Tensor.of(s, n), Tensor.of(y, n));
        assertEquals(wins / pairs, auc.compute(), 1e-12);
    }

    @Test
    void averagePrecision() {
        PrAuc ap = new PrAuc();
        ap.update(floats(0.1f, 0.4f, 0.35f, 0.8f), longs(0, 0, 1, 1));
        // thresholds 0.8: P=1 R=.5; 0.4: P=.5 R=.5; 0.35: P=2/3 R=1  ->  .5 * 1 + .5 * 2/3
        assertEquals(0.5 + 0.5 * 2.0 / 3, ap.compute(), 1e-12);

        PrAuc tied = new PrAuc();
        tied.update(floats(0.5f, 0.5f), longs(1, 0));
        tied.update(floats(0.2f, 0.8f), longs(0, 1));
        // 0.8: P=1 R=.5; the tied pair 0.5 enters together: P=2/3 R=1
        assertEquals(0.5 + 0.5 * 2.0 / 3, tied.compute(), 1e-12);

        PrAuc perfect = new PrAuc();
        perfect.update(floats(0.9f, 0.8f, 0.1f), longs(1, 1, 0));
        assertEquals(1.0, perfect.compute(), 1e-12);
        assertThrows(IllegalStateException.class, () -> {
            PrAuc none = new PrAuc();
            none.update(floats(0.3f), longs(0));
            none.compute();
        });
    }

    @Test
    void iouAndDiceOnSmallMasks() {
        Tensor pred = Tensor.of(new float[] {0.9f, 0.6f, 0.1f, 0.2f, 0.7f, 0.4f}, 1, 2, 3);
        Tensor target = Tensor.of(new long[] {1, 0, 0, 0, 1, 1}, 1, 2, 3);
        // predicted {0, 1, 4}, target {0, 4, 5}: intersection 2, union 4
        IoU iou = new IoU();
        Dice dice = new Dice();
        iou.update(pred, target);
        dice.update(pred, target);
        assertEquals(0.5, iou.compute(), 1e-12);
        assertEquals(4.0 / 6, dice.compute(), 1e-12);
        // a second batch accumulates over all pixels: + intersection 1, predicted 1, target 2
        iou.update(Tensor.of(new boolean[] {true, false}, 1, 2), Tensor.of(new long[] {1, 1}, 1, 2));
        dice.update(Tensor.of(new boolean[] {true, false}, 1, 2), Tensor.of(new long[] {1, 1}, 1, 2));
        assertEquals(3.0 / 6, iou.compute(), 1e-12);
        assertEquals(6.0 / 9, dice.compute(), 1e-12);
        IoU empty = new IoU();
        empty.update(Tensor.zeros(2, 2), Tensor.zeros(2, 2));
        assertEquals(1.0, empty.compute());
        IoU strict = new IoU(0.65);
        strict.update(pred, target);
        assertEquals(2.0 / 3, strict.compute(), 1e-12);   // predicted {0, 4}
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Dice().update(Tensor.zeros(2, 3), Tensor.zeros(3, 2)));
        assertTrue(e.getMessage().contains("Dice") && e.getMessage().contains("[2, 3]") && e.getMessage().contains("[3, 2]"), e.getMessage());
    }
}
