package dev.ember.cpu.reductions;

import dev.ember.core.DType;
import dev.ember.core.Device;
import dev.ember.core.Shapes;
import dev.ember.core.Tensor;
import dev.ember.core.random.Generator;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static dev.ember.core.testing.TensorAssert.assertClose;
import static dev.ember.core.testing.TensorAssert.assertShape;

/**
 * The f32 sum kernel's paths (rows, columns, staged non-adjacent axes; blocks longer than the
 * float block, vector tails) against a naive double-precision sum.
 */
class SumKernelTest {

    private static void check(int[] shape, int... axesOrNone) {
        int[] axes = axesOrNone.length == 0 ? null : axesOrNone;
        Tensor x = Tensor.randn(Generator.seeded(Arrays.hashCode(shape) + 31L * Arrays.hashCode(axesOrNone)), DType.F32, Device.CPU, shape);
        double[] data = x.toDoubleArray();
        int[] norm = Shapes.axes("sum", axes, shape.length);
        double[] expected = Naive.reduce(data, shape, norm, v -> {
            double s = 0;
            for (double e : v) s += e;
            return s;
        });
        long n = 1;
        for (int ax : norm) n *= shape[ax];
        double tol = 1e-6 * Math.sqrt(Math.max(1, n)) + 1e-6;
        for (boolean keep : new boolean[] {false, true}) {
            Tensor r = x.sum(axes, keep);
            assertShape(r, Shapes.reduced(shape, norm, keep));
            assertClose(expected, r, tol);
        }
    }

    @Test
    void rowsLongerThanABlockAndWithTails() {
        check(new int[] {3, 2500}, 1);       // two and a half float blocks, 4 leftover elements
        check(new int[] {5, 7}, 1);          // shorter than one vector
        check(new int[] {1, 16}, 1);
        check(new int[] {4, 3, 33}, 1, 2);
    }

    @Test
    void columnsAlongAContiguousInnerAxis() {
        check(new int[] {128, 512}, 0);      // a linear layer's bias gradient
        check(new int[] {2100, 13}, 0);      // more rows than a block, inner not a vector multiple
        check(new int[] {3, 7, 5}, 1);
        check(new int[] {2, 40, 8}, 1);
    }

    @Test
    void nonAdjacentAxesAreReducedInStages() {
        check(new int[] {4, 6, 9, 11}, 0, 2, 3);   // a conv bias gradient over N, H, W
        check(new int[] {3, 4, 5}, 0, 2);
        check(new int[] {2, 3, 4, 5, 6}, 0, 2, 4);
        check(new int[] {2, 3, 4, 5}, 1, 3);
    }

    @Test
    void sumOfAllAndEmptyDimensions() {
        check(new int[] {7, 9, 11});
        check(new int[] {0, 5}, 0);
        check(new int[] {5, 0}, 0);
    }
}
