package dev.ember.nn;

import dev.ember.core.DType;
import dev.ember.core.Device;
import dev.ember.core.Tensor;
import dev.ember.nn.layers.BatchNorm2d;
import dev.ember.nn.layers.Conv2d;
import dev.ember.nn.layers.Dropout;
import dev.ember.nn.layers.Linear;
import dev.ember.nn.layers.Sequential;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.ember.core.testing.TensorAssert.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModuleTest {

    static final class Net extends Module {
        final Conv2d conv = register("conv", new Conv2d(1, 2, 3));
        final BatchNorm2d bn = register("bn", new BatchNorm2d(2));
        final Sequential head = register("head", new Sequential(new Dropout(0.1), new Linear(2, 3)));

        @Override
        public Tensor forward(Tensor x) { return head.forward(bn.forward(conv.forward(x)).mean(new int[] {2, 3}, false)); }
    }

    @Test
    void stateDictNamesModesAndApply() {
        Net net = new Net();
        assertEquals(List.of("conv.weight", "conv.bias", "bn.weight", "bn.bias", "head.1.weight", "head.1.bias",
                "bn.running_mean", "bn.running_var", "bn.num_batches_tracked"), List.copyOf(net.stateDict().keySet()));
        assertEquals(18 + 2 + 4 + 6 + 3, net.parameterCount());
        net.eval();
        assertFalse(net.head.get(0).isTraining());
        net.train();
        assertTrue(net.bn.isTraining());
        List<String> visited = new ArrayList<>();
        net.apply(m -> visited.add(m.getClass().getSimpleName()));
        assertEquals("Net", visited.get(visited.size() - 1));
        assertTrue(visited.contains("Dropout"));
    }

    @Test
    void loadStateDictCopiesValues() {
        Net a = new Net(), b = new Net();
        a.forward(Tensor.ones(2, 1, 5, 5));
        b.loadStateDict(a.stateDict(), true);
        for (var e : a.stateDict().entrySet()) assertClose(e.getValue().to(DType.F64), b.stateDict().get(e.getKey()).to(DType.F64), 0);
        assertEquals(1, (long) b.stateDict().get("bn.num_batches_tracked").item());
    }

    @Test
    void strictLoadListsMissingUnexpectedAndMismatched() {
        Net net = new Net();
        Map<String, Tensor> state = new LinkedHashMap<>(new Net().stateDict());
        state.remove("conv.bias");
        state.put("extra.weight", Tensor.zeros(1));
        state.put("head.1.weight", Tensor.zeros(4, 2));
        state.put("bn.num_batches_tracked", Tensor.zeros(DType.F32, Device.CPU));
        var e = assertThrows(IllegalArgumentException.class, () -> net.loadStateDict(state, true));
        String m = e.getMessage();
        assertTrue(m.contains("missing: [conv.bias]"), m);
        assertTrue(m.contains("unexpected: [extra.weight]"), m);
        assertTrue(m.contains("head.1.weight: file has shape [4, 2], model has [3, 2]"), m);
        assertTrue(m.contains("bn.num_batches_tracked: file has dtype f32, model has i64"), m);
        // non-strict still refuses mismatches but tolerates missing and unexpected names
        state.put("head.1.weight", Tensor.zeros(3, 2));
        state.put("bn.num_batches_tracked", Tensor.zeros(DType.I64, Device.CPU));
        net.loadStateDict(state, false);
        assertClose(new double[6], net.head.get(1).stateDict().get("weight"), 0);
    }
}
