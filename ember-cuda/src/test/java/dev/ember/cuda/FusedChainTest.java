package dev.ember.cuda;

import dev.ember.core.Tensor;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FusedChainTest {

    @Test
    void opcodesAreTheKernelsChainOps() throws Exception {
        String src = Files.readString(Path.of("src/main/cuda/elementwise.cu"));
        Matcher enumBody = Pattern.compile("enum ChainOp \\{([^}]*)}").matcher(src);
        assertTrue(enumBody.find(), "elementwise.cu has no enum ChainOp");
        Matcher e = Pattern.compile("C_(\\w+)\\s*=\\s*(\\d+)").matcher(enumBody.group(1));
        List<String> kernel = new ArrayList<>();
        while (e.find()) {
            assertEquals(kernel.size(), Integer.parseInt(e.group(2)), "ChainOp values must count up from 0");
            kernel.add(e.group(1));
        }
        List<String> java = new ArrayList<>();
        for (FusedChain.Step s : FusedChain.Step.values()) java.add(s.name());
        assertEquals(kernel, java);
    }

    @Test
    void chainsAreImmutableAndBounded() {
        FusedChain a = FusedChain.start().mul(0.5);
        FusedChain b = a.add(1).tanh();
        assertEquals(List.of(FusedChain.Step.MUL), a.steps());
        assertEquals(List.of(FusedChain.Step.MUL, FusedChain.Step.ADD, FusedChain.Step.TANH), b.steps());
        FusedChain full = FusedChain.start();
        for (int i = 0; i < FusedChain.MAX_STEPS; i++) full = full.relu();
        FusedChain done = full;
        var ex = assertThrows(IllegalArgumentException.class, () -> done.exp());
        assertTrue(ex.getMessage().contains("at most 16 steps"), ex.getMessage());
    }

    @Test
    void cpuTensorsAreRefusedWithTheDevice() {
        var ex = assertThrows(IllegalArgumentException.class, () -> FusedChain.start().exp().apply(Tensor.of(new float[] {1, 2}, 2)));
        assertTrue(ex.getMessage().contains("fused chain") && ex.getMessage().contains("cpu"), ex.getMessage());
    }
}
