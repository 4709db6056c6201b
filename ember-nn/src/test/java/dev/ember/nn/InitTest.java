package dev.ember.nn;

import dev.ember.core.Tensor;
import dev.ember.core.random.Generator;
import dev.ember.nn.layers.Conv2d;
import dev.ember.nn.layers.ConvTranspose2d;
import dev.ember.nn.layers.Linear;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InitTest {

    private static double[] stats(Tensor t) {
        double[] v = t.toDoubleArray();
        double min = Double.MAX_VALUE, max = -Double.MAX_VALUE, sum = 0, sq = 0;
        for (double d : v) {
            min = Math.min(min, d);
            max = Math.max(max, d);
            sum += d;
        }
        double mean = sum / v.length;
        for (double d : v) sq += (d - mean) * (d - mean);
        return new double[] {min, max, mean, Math.sqrt(sq / v.length)};
    }

    @Test
    void fansAndGains() {
        assertEquals(new Init.Fans(147, 3136), Init.fans(new int[] {64, 3, 7, 7}));
        assertEquals(new Init.Fans(20, 10), Init.fans(new int[] {10, 20}));
        assertThrows(IllegalArgumentException.class, () -> Init.fans(new int[] {5}));
        assertEquals(Math.sqrt(2), Init.gain(Init.Nonlinearity.RELU, Double.NaN), 1e-12);
        assertEquals(5.0 / 3, Init.gain(Init.Nonlinearity.TANH, Double.NaN), 1e-12);
        assertEquals(Math.sqrt(2 / (1 + 0.0001)), Init.gain(Init.Nonlinearity.LEAKY_RELU, Double.NaN), 1e-12);
        assertEquals(Math.sqrt(1.0 / 3), Init.gain(Init.Nonlinearity.LEAKY_RELU, Math.sqrt(5)), 1e-12);
    }

    @Test
    void pytorchDefaultsForLinearAndConv() {
        Linear fc = new Linear(400, 300, true, Generator.seeded(1));
        double bound = 1 / Math.sqrt(400);
        double[] w = stats(fc.weight().data()), b = stats(fc.bias().data());
        assertTrue(w[0] >= -bound && w[1] <= bound && w[1] > 0.95 * bound && w[0] < -0.95 * bound, "weight in U(-b, b)");
        assertEquals(bound / Math.sqrt(3), w[3], 0.02 * bound);
        assertTrue(b[0] >= -bound && b[1] <= bound);

        Conv2d conv = new Conv2d(16, 32, 3, 1, 1, true, Generator.seeded(2));
        double cb = 1 / Math.sqrt(16 * 9);
        double[] c = stats(conv.weight().data());
        assertTrue(c[0] >= -cb && c[1] <= cb && c[1] > 0.95 * cb);

        // PyTorch takes ConvTranspose2d's fan in from weight.size(1) = out/groups
        ConvTranspose2d t = new ConvTranspose2d(64, 8, 2, 2, 0, Generator.seeded(3));
        double tb = 1 / Math.sqrt(8 * 4);
        double[] ts = stats(t.weight().data());
        assertTrue(ts[0] >= -tb && ts[1] <= tb && ts[1] > 0.9 * tb);
    }

    @Test
    void kaimingAndXavierStatistics() {
        Generator g = Generator.seeded(4);
        Tensor w = Tensor.zeros(256, 128, 3, 3);
        Init.kaimingNormal(w, 0, Init.FanMode.FAN_OUT, Init.Nonlinearity.RELU, g);
        assertEquals(Math.sqrt(2.0 / (256 * 9)), stats(w)[3], 0.01 * Math.sqrt(2.0 / (256 * 9)));
        Init.kaimingUniform(w, 0, Init.FanMode.FAN_IN, Init.Nonlinearity.RELU, g);
        double kb = Math.sqrt(2) * Math.sqrt(3.0 / (128 * 9));
        double[] k = stats(w);
        assertTrue(k[0] >= -kb && k[1] <= kb && k[1] > 0.99 * kb);
        Tensor m = Tensor.zeros(300, 200);
        Init.xavierUniform(m, 1, g);
        double xb = Math.sqrt(6.0 / 500);
        double[] x = stats(m);
        assertTrue(x[0] >= -xb && x[1] <= xb && x[1] > 0.99 * xb);
        Init.xavierNormal(m, 2, g);
        assertEquals(2 * Math.sqrt(2.0 / 500), stats(m)[3], 0.02 * 2 * Math.sqrt(2.0 / 500));
        Init.ones(m);
        assertEquals(1, stats(m)[0]);
        Init.zeros(m);
        assertEquals(0, stats(m)[1]);
    }

    @Test
    void initialisesParametersThatRequireGrad() {
        Linear fc = new Linear(3, 3);
        Init.xavierUniform(fc.weight().data(), 1, Generator.seeded(1));
        assertTrue(fc.weight().data().requiresGrad());
        assertTrue(fc.weight().data().isLeaf());
    }
}
