package dev.ember.cpu.core;

import dev.ember.core.Tensor;
import dev.ember.core.dispatch.Profiler;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProfilerTest {

    @Test
    void countsEveryKernelCallByOpAndShapes() {
        Tensor a = Tensor.ones(3, 4), b = Tensor.ones(4, 5), c = Tensor.ones(3, 5);
        Profiler p = Profiler.start();
        try (p) {
            Tensor y = a.matmul(b).add(c);
            y.add(c);
        }
        a.matmul(b); // after close: not counted
        Map<String, Profiler.Row> byOp = p.rows(Profiler.By.OP).stream().collect(Collectors.toMap(Profiler.Row::key, r -> r));
        assertEquals(1, byOp.get("matmul").calls());
        assertEquals(2, byOp.get("add").calls());
        assertTrue(byOp.get("matmul").nanos() > 0);
        List<String> keys = p.rows(Profiler.By.OP_AND_SHAPES).stream().map(Profiler.Row::key).toList();
        assertTrue(keys.contains("matmul [3, 4] [4, 5]"), keys.toString());
        assertTrue(keys.contains("add [3, 5] [3, 5]"), keys.toString());
        // rows come longest first
        List<Profiler.Row> rows = p.rows(Profiler.By.OP);
        for (int i = 1; i < rows.size(); i++) assertTrue(rows.get(i - 1).nanos() >= rows.get(i).nanos());
        String table = p.table(Profiler.By.OP, 10);
        assertTrue(table.contains("matmul") && table.contains("(outside kernels)"), table);
        assertTrue(p.elapsedMs() > 0);
    }

    @Test
    void backwardOpsAreProfiledToo() {
        Tensor x = Tensor.ones(2, 3).requiresGrad(true);
        Profiler p = Profiler.start();
        try (p) {
            x.mul(x).sum().backward();
        }
        List<String> ops = p.rows(Profiler.By.OP).stream().map(Profiler.Row::key).toList();
        assertTrue(ops.contains("mul") && ops.contains("sum"), ops.toString());
        assertTrue(p.rows(Profiler.By.OP).stream().filter(r -> r.key().equals("mul")).findFirst().orElseThrow().calls() >= 2,
                "the backward of mul multiplies again: " + ops);
    }

    @Test
    void onlyOneAtATime() {
        try (Profiler p = Profiler.start()) {
            IllegalStateException e = assertThrows(IllegalStateException.class, Profiler::start);
            assertTrue(e.getMessage().contains("already running"), e.getMessage());
            assertFalse(p.rows(Profiler.By.OP).iterator().hasNext());
        }
        Profiler.start().close(); // the first one's close freed the slot
    }
}
