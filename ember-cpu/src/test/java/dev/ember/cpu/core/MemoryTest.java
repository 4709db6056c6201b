package dev.ember.cpu.core;

import dev.ember.core.Device;
import dev.ember.core.Tensor;
import dev.ember.core.memory.MemoryScope;
import dev.ember.core.memory.MemoryStats;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class MemoryTest {

    private static MemoryStats stats() { return Device.CPU.backend().allocator(Device.CPU).stats(); }

    @Test
    void scopeReleasesTemporariesButKeepsWhatIsKept() {
        Tensor kept;
        Tensor temp;
        Tensor w = Tensor.ones(4).requiresGrad(true);
        try (var scope = MemoryScope.open("step")) {
            temp = Tensor.ones(1000).mul(2);
            kept = scope.keep(temp.sum());
            w.mul(3).sum().backward(); // gradients of leaves survive the scope
            assertTrue(scope.trackedCount() > 0);
        }
        assertTrue(temp.storage().isReleased());
        assertFalse(kept.storage().isReleased());
        assertEquals(2000.0, kept.item());
        assertEquals(3.0, w.grad().toDoubleArray()[0]);
        var e = assertThrows(IllegalStateException.class, () -> temp.add(1));
        assertTrue(e.getMessage().contains("MemoryScope 'step' closed") && e.getMessage().contains("keep"), e.getMessage());
    }

    @Test
    void memoryIsReusedAndObservable() {
        long before = stats().currentBytes();
        long hitsBefore = stats().cacheHits();
        for (int i = 0; i < 5; i++) {
            try (var scope = MemoryScope.open()) {
                Tensor.ones(256, 256).add(1);
            }
        }
        MemoryStats after = stats();
        assertEquals(before, after.currentBytes(), "all temporaries returned");
        assertTrue(after.peakBytes() >= 2 * 256 * 256 * 4, after.toString());
        assertTrue(after.cacheHits() - hitsBefore >= 8, "later steps reuse the first step's blocks: " + after);
    }

    @Test
    void scopesMustCloseInOrder() {
        var outer = MemoryScope.open("outer");
        var inner = MemoryScope.open("inner");
        assertThrows(IllegalStateException.class, outer::close);
        inner.close();
        outer.close();
    }

    @Test
    void unreachableTensorsAreReclaimedByTheCleaner() throws InterruptedException {
        long before = stats().currentBytes();
        for (int i = 0; i < 50; i++) Tensor.zeros(1 << 16);
        for (int i = 0; i < 50 && stats().currentBytes() > before; i++) {
            System.gc();
            Thread.sleep(20);
        }
        assertTrue(stats().currentBytes() <= before, "the Cleaner returned unreachable storage: " + stats());
    }
}
