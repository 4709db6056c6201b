package dev.ember.core.testing;

import dev.ember.core.Tensor;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.fail;

/** Assertions on tensor values and shapes. */
public final class TensorAssert {

    private TensorAssert() {}

    public static void assertShape(Tensor t, int... shape) {
        assertArrayEquals(shape, t.shape(), () -> "shape " + Arrays.toString(t.shape()) + " expected " + Arrays.toString(shape));
    }

    public static void assertClose(double[] expected, Tensor actual, double tol) {
        double[] a = actual.toDoubleArray();
        if (a.length != expected.length) fail("expected " + expected.length + " values, got " + a.length + " (shape " + Arrays.toString(actual.shape()) + ")");
        for (int i = 0; i < a.length; i++) {
            boolean ok = Double.isNaN(expected[i]) ? Double.isNaN(a[i])
                    : a[i] == expected[i] || Math.abs(a[i] - expected[i]) <= tol * Math.max(1, Math.abs(expected[i]));
            if (!ok) fail("value " + i + ": expected " + expected[i] + ", got " + a[i] + " (all: " + Arrays.toString(a) + ")");
        }
    }

    public static void assertClose(Tensor expected, Tensor actual, double tol) {
        assertShape(actual, expected.shape());
        assertClose(expected.toDoubleArray(), actual, tol);
    }
}
