package dev.ember.cpu.core;

import dev.ember.core.DType;
import dev.ember.core.Device;
import dev.ember.core.Tensor;
import dev.ember.core.random.Generator;
import dev.ember.core.testing.GradCheck;
import org.junit.jupiter.api.Test;

import static dev.ember.core.testing.TensorAssert.assertClose;
import static dev.ember.core.testing.TensorAssert.assertShape;
import static org.junit.jupiter.api.Assertions.*;

class ViewsTest {

    private final Tensor x = Tensor.arange(0, 24, 1, DType.F32, Device.CPU).reshape(2, 3, 4);

    @Test
    void viewsShareMemoryAndDoNotCopy() {
        for (Tensor v : new Tensor[] {x.view(6, 4), x.permute(2, 0, 1), x.transpose(0, 2), x.narrow(1, 1, 2), x.slice(2, 0, 4, 2),
                x.select(0, 1), x.unsqueeze(0).expand(5, 2, 3, 4), x.unsqueeze(1).squeeze(1), x.flatten(0, 1)}) {
            assertSame(x.storage(), v.storage());
        }
    }

    @Test
    void viewValues() {
        assertClose(new double[] {0, 12, 4, 16, 8, 20}, x.select(2, 0).transpose(0, 1), 0);
        assertClose(new double[] {5, 6, 9, 10}, x.select(0, 0).narrow(0, 1, 2).narrow(1, 1, 2), 0);
        assertClose(new double[] {1, 3, 5, 7}, x.select(0, 0).narrow(0, 0, 2).slice(1, 1, 4, 2), 0);
        assertClose(new double[] {20, 21, 22, 23}, x.select(1, -1).select(0, -1), 0);
        assertShape(x.permute(2, 0, 1), 4, 2, 3);
        assertEquals(13.0, x.permute(2, 0, 1).getDouble(1, 1, 0));
        Tensor e = Tensor.of(new float[] {1, 2, 3}, 3, 1).expand(3, 4);
        assertShape(e, 3, 4);
        assertArrayEquals(new long[] {1, 0}, e.strides());
        assertClose(new double[] {1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3}, e, 0);
        assertShape(x.unsqueeze(-1), 2, 3, 4, 1);
        assertShape(x.unsqueeze(3).squeeze(), 2, 3, 4);
        assertShape(x.view(-1, 4), 6, 4);
        assertShape(x.flatten(), 24);
    }

    @Test
    void contiguousAndReshapeCopyOnlyWhenNeeded() {
        Tensor t = x.transpose(1, 2);
        assertFalse(t.isContiguous());
        Tensor c = t.contiguous();
        assertTrue(c.isContiguous());
        assertNotSame(x.storage(), c.storage());
        assertClose(t.toDoubleArray(), c, 0);
        assertSame(x.contiguous(), x);
        Tensor r = t.reshape(2, 12);
        assertNotSame(x.storage(), r.storage());
        assertClose(t.toDoubleArray(), r, 0);
        var err = assertThrows(IllegalArgumentException.class, () -> t.view(2, 12));
        assertTrue(err.getMessage().contains("view") && err.getMessage().contains("reshape"), err.getMessage());
    }

    @Test
    void badViewsNameTheShapes() {
        var e = assertThrows(IllegalArgumentException.class, () -> x.view(5, 5));
        assertTrue(e.getMessage().contains("[5, 5]") && e.getMessage().contains("[2, 3, 4]"), e.getMessage());
        var e2 = assertThrows(IllegalArgumentException.class, () -> x.expand(2, 5, 4));
        assertTrue(e2.getMessage().contains("expand") && e2.getMessage().contains("[2, 5, 4]"), e2.getMessage());
        assertThrows(IllegalArgumentException.class, () -> x.permute(0, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> x.select(1, 3));
        assertThrows(IllegalArgumentException.class, () -> x.transpose(0, 3));
    }

    @Test
    void gradientsFlowThroughViews() {
        Tensor a = Tensor.randn(Generator.seeded(3), DType.F64, Device.CPU, 2, 3, 4).requiresGrad(true);
        GradCheck.check(in -> in[0].view(6, 4).exp(), a);
        GradCheck.check(in -> in[0].permute(2, 0, 1).sin(), a);
        GradCheck.check(in -> in[0].narrow(1, 1, 2).slice(2, 0, 4, 3).tanh(), a);
        GradCheck.check(in -> in[0].select(2, 1).mul(in[0].select(0, 1).transpose(0, 1).narrow(0, 0, 2).select(1, 0).unsqueeze(1)), a);
        GradCheck.check(in -> in[0].unsqueeze(0).expand(3, 2, 3, 4).mul(Tensor.arange(0, 3, 1, DType.F64, Device.CPU).view(3, 1, 1, 1)), a);
        GradCheck.check(in -> in[0].transpose(0, 2).reshape(4, 6).sigmoid(), a);
        GradCheck.check(in -> in[0].flatten(1, 2).sum(1, false), a);
    }

    @Test
    void inPlaceWriteThroughAView() {
        Tensor t = Tensor.zeros(3, 3);
        t.select(1, 1).copy_(Tensor.of(new float[] {1, 2, 3}, 3));
        t.narrow(0, 0, 1).add_(10);
        assertClose(new double[] {10, 11, 10, 0, 2, 0, 0, 3, 0}, t, 0);
    }
}
