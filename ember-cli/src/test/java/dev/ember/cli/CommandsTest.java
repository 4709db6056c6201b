package dev.ember.cli;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.*;

class CommandsTest {

    @Test
    void devicesListsTheCpuAndExplainsTheMissingGpu() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        DevicesCommand.print(new PrintStream(buf, true, StandardCharsets.UTF_8));
        String[] lines = buf.toString(StandardCharsets.UTF_8).split("\n");
        String cpu = java.util.Arrays.stream(lines).filter(l -> l.startsWith("cpu  ")).findFirst().orElseThrow();
        assertTrue(cpu.contains("threads") && cpu.contains("SIMD"), cpu);
        // ember-cuda is on the class path: its line is a GPU, or says exactly why there is none
        String cuda = java.util.Arrays.stream(lines).filter(l -> l.startsWith("cuda")).findFirst().orElseThrow();
        assertTrue(!cuda.contains("no CUDA backend installed"), cuda);
        if (cuda.startsWith("cuda  unavailable: ")) {
            assertTrue(cuda.contains("libcuda.so.1") || cuda.contains("driver") || cuda.contains("device"), cuda);
            if (cuda.contains("libcuda.so.1 not found")) {
                assertTrue(cuda.contains("no NVIDIA driver") && cuda.contains("/usr/local/cuda"), cuda);
            }
        }
    }

    @Test
    void linearExampleLossFalls() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        double[] losses = LinearExample.train(10, 20, 0.05, 0, new PrintStream(buf, true, StandardCharsets.UTF_8));
        assertEquals(10, losses.length);
        assertTrue(losses[9] < losses[0] / 10, "loss falls: " + java.util.Arrays.toString(losses));
        assertTrue(losses[9] < 0.05, "reaches the noise floor (0.01): " + losses[9]);
        assertTrue(buf.toString(StandardCharsets.UTF_8).startsWith("epoch  1  loss "));
    }
}
