package dev.ember.cpu.indexing;

import dev.ember.core.DType;
import dev.ember.core.Device;
import dev.ember.core.Tensor;
import dev.ember.core.ops.DropoutOps;
import dev.ember.core.random.Generator;
import org.junit.jupiter.api.Test;

import static dev.ember.cpu.indexing.IndexingForwardTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;

/** Inverted dropout: scaling, mask fraction, determinism and gradient. */
class DropoutTest {

    @Test
    void identityWhenNotTrainingOrPZero() {
        Tensor x = Tensor.ones(3, 4);
        assertSame(x, DropoutOps.dropout(x, 0.5, false, Generator.seeded(1)));
        assertSame(x, DropoutOps.dropout(x, 0, true, Generator.seeded(1)));
    }

    @Test
    void invalidProbability() {
        Tensor x = Tensor.ones(2);
        assertMessage(() -> DropoutOps.dropout(x, 1, true, null), "dropout", "[0, 1)", "1.0");
        assertMessage(() -> DropoutOps.dropout(x, -0.1, true, null), "dropout", "-0.1");
        assertMessage(() -> DropoutOps.dropout(x, Double.NaN, true, null), "dropout", "NaN");
        assertMessage(() -> DropoutOps.dropout(Tensor.ones(DType.I64, Device.CPU, 2), 0.5, true, null), "dropout", "floating", "i64");
    }

    @Test
    void maskFractionAndScaling() {
        for (double p : new double[] {0.1, 0.5, 0.8}) {
            Tensor x = Tensor.full(3, 1000, 1000);
            float[] y = DropoutOps.dropout(x, p, true, Generator.seeded(42)).toFloatArray();
            int zeros = 0;
            float kept = (float) (3 / (1 - p));
            for (float v : y) {
                if (v == 0) zeros++;
                else assertEquals(kept, v, 1e-5f);
            }
            // binomial standard deviation at n = 1e6 is at most 5e-4
            assertEquals(p, zeros / 1e6, 0.003, "fraction of dropped elements for p = " + p);
        }
    }

    @Test
    void deterministicForASeed() {
        Tensor x = Tensor.randn(Generator.seeded(0), DType.F64, Device.CPU, 50, 40);
        double[] a = DropoutOps.dropout(x, 0.3, true, Generator.seeded(7)).toDoubleArray();
        double[] b = DropoutOps.dropout(x, 0.3, true, Generator.seeded(7)).toDoubleArray();
        double[] c = DropoutOps.dropout(x, 0.3, true, Generator.seeded(8)).toDoubleArray();
        assertArrayEquals(a, b);
        assertFalse(java.util.Arrays.equals(a, c));
        Generator.manualSeed(123);
        double[] g1 = DropoutOps.dropout(x, 0.3, true, null).toDoubleArray();
        Generator.manualSeed(123);
        double[] g2 = DropoutOps.dropout(x, 0.3, true, null).toDoubleArray();
        assertArrayEquals(g1, g2);
    }

    @Test
    void gradientIsMaskOverKeepProbability() {
        double p = 0.25;
        Tensor x = Tensor.randn(Generator.seeded(2), DType.F64, Device.CPU, 30, 20).requiresGrad(true);
        Tensor y = DropoutOps.dropout(x.transpose(0, 1), p, true, Generator.seeded(3));
        Tensor upstream = Tensor.randn(Generator.seeded(4), DType.F64, Device.CPU, 20, 30);
        y.backward(upstream);
        double[] yv = y.transpose(0, 1).contiguous().toDoubleArray();
        double[] xv = x.toDoubleArray();
        double[] gv = x.grad().toDoubleArray();
        double[] uv = upstream.transpose(0, 1).contiguous().toDoubleArray();
        for (int i = 0; i < xv.length; i++) {
            boolean keptElement = yv[i] != 0;
            assertEquals(keptElement ? xv[i] / (1 - p) : 0, yv[i], 1e-12);
            assertEquals(keptElement ? uv[i] / (1 - p) : 0, gv[i], 1e-12);
        }
    }
}
