package dev.ember.cpu.core;

import dev.ember.core.DType;
import dev.ember.core.Device;
import dev.ember.core.Tensor;
import dev.ember.core.random.Generator;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static dev.ember.core.testing.TensorAssert.assertClose;
import static dev.ember.core.testing.TensorAssert.assertShape;
import static org.junit.jupiter.api.Assertions.*;

class CreationTest {

    @Test
    void constantsAndRanges() {
        assertClose(new double[] {0, 0, 0, 0, 0, 0}, Tensor.zeros(2, 3), 0);
        assertClose(new double[] {1, 1}, Tensor.ones(DType.I32, Device.CPU, 2), 0);
        assertClose(new double[] {2.5, 2.5, 2.5}, Tensor.full(2.5, 3), 0);
        assertArrayEquals(new long[] {0, 1, 2, 3, 4}, Tensor.arange(5).toLongArray());
        assertClose(new double[] {1, 1.5, 2, 2.5}, Tensor.arange(1, 3, 0.5, DType.F32, Device.CPU), 0);
        assertClose(new double[] {5, 3, 1}, Tensor.arange(5, 0, -2, DType.F64, Device.CPU), 0);
        assertClose(new double[] {0, 0.25, 0.5, 0.75, 1}, Tensor.linspace(0, 1, 5), 0);
        assertEquals(1.0, Tensor.linspace(-1, 1, 7, DType.F64, Device.CPU).toDoubleArray()[6]); // last value exact
        assertClose(new double[] {1, 0, 0, 0, 1, 0, 0, 0, 1}, Tensor.eye(3), 0);
        assertClose(new double[] {1, 0, 0, 0, 1, 0}, Tensor.eye(2, 3, DType.F64, Device.CPU), 0);
        assertShape(Tensor.zeros(0, 3), 0, 3);
        assertEquals(0, Tensor.zeros(0, 3).add(1).numel());
        assertThrows(IllegalArgumentException.class, () -> Tensor.arange(0, 1, 0, DType.F32, Device.CPU));
    }

    @Test
    void sameSeedSameBits() {
        Tensor a = Tensor.randn(Generator.seeded(42), 1000);
        Tensor b = Tensor.randn(Generator.seeded(42), 1000);
        assertArrayEquals(a.toByteArray(), b.toByteArray());
        assertFalse(java.util.Arrays.equals(a.toByteArray(), Tensor.randn(Generator.seeded(43), 1000).toByteArray()));
        // successive draws continue the sequence: 2 x 500 equals 1 x 1000
        Generator g = Generator.seeded(42);
        Tensor first = Tensor.randn(g, 500), second = Tensor.randn(g, 500);
        assertArrayEquals(a.narrow(0, 500, 500).toByteArray(), second.toByteArray());
        assertArrayEquals(a.narrow(0, 0, 500).toByteArray(), first.toByteArray());
        // and the state restores the sequence
        Generator h = Generator.seeded(7);
        Tensor.rand(h, 10);
        var state = h.state();
        Tensor x = Tensor.rand(h, 10);
        h.setState(state);
        assertArrayEquals(x.toByteArray(), Tensor.rand(h, 10).toByteArray());
    }

    @Test
    void distributions() {
        Generator g = Generator.seeded(1);
        double[] u = Tensor.rand(g, 200_000).toDoubleArray();
        double mean = 0, min = 1, max = 0;
        for (double v : u) {
            mean += v;
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        mean /= u.length;
        assertEquals(0.5, mean, 0.005);
        assertTrue(min >= 0 && max < 1);
        double[] n = Tensor.randn(g, DType.F64, Device.CPU, 200_000).toDoubleArray();
        double m = 0, s = 0;
        for (double v : n) m += v;
        m /= n.length;
        for (double v : n) s += (v - m) * (v - m);
        s = Math.sqrt(s / n.length);
        assertEquals(0, m, 0.01);
        assertEquals(1, s, 0.01);
        long[] r = Tensor.randint(g, -3, 4, 100_000).toLongArray();
        int[] counts = new int[7];
        for (long v : r) counts[(int) v + 3]++;
        for (int c : counts) assertEquals(100_000 / 7.0, c, 600);
    }

    @Test
    void javaArraysRoundTrip() {
        float[] f = {1.5f, -2f, 3.25f, 0f, 8f, 9f};
        assertArrayEquals(f, Tensor.of(f, 2, 3).toFloatArray());
        double[] d = {1e-300, 2, 3};
        assertArrayEquals(d, Tensor.of(d, 3).toDoubleArray());
        long[] l = {Long.MIN_VALUE, 0, Long.MAX_VALUE};
        assertArrayEquals(l, Tensor.of(l, 3).toLongArray());
        int[] i = {1, -2, 3};
        assertArrayEquals(i, Tensor.of(i, 3).toIntArray());
        boolean[] b = {true, false};
        assertArrayEquals(b, Tensor.of(b, 2).toBooleanArray());
        var e = assertThrows(IllegalArgumentException.class, () -> Tensor.of(f, 4, 2));
        assertTrue(e.getMessage().contains("[4, 2]"), e.getMessage());
    }

    @Test
    void wrapsAMemorySegmentWithoutCopy() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment seg = arena.allocate(4 * 6, 64);
            for (int i = 0; i < 6; i++) seg.setAtIndex(ValueLayout.JAVA_FLOAT, i, i);
            Tensor t = Tensor.wrap(seg, DType.F32, 2, 3);
            assertClose(new double[] {0, 1, 2, 3, 4, 5}, t, 0);
            seg.setAtIndex(ValueLayout.JAVA_FLOAT, 4, 40f); // the tensor sees the change: no copy
            assertEquals(40.0, t.getDouble(1, 1));
            assertClose(new double[] {0, 2, 4, 6, 80, 10}, t.mul(2), 0);
            assertThrows(IllegalArgumentException.class, () -> Tensor.wrap(seg, DType.F32, 7));
        }
    }

    @Test
    void readableToString() {
        String s = Tensor.of(new float[] {1, 2.5f, 3}, 3).toString();
        assertTrue(s.startsWith("tensor(shape=[3], dtype=f32, device=cpu)"), s);
        assertTrue(s.contains("[1.0, 2.500, 3.0]"), s);
        String big = Tensor.zeros(100, 100).toString();
        assertTrue(big.contains("...") && big.length() < 2000, big);
        assertTrue(Tensor.ones(2).requiresGrad(true).mul(2).toString().contains("gradFn=mulBackward"));
    }
}
