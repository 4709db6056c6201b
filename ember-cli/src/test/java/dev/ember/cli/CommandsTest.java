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
        assertTrue(lines[0].startsWith("cpu  ") && lines[0].contains("threads") && lines[0].contains("SIMD"), lines[0]);
        assertTrue(lines[1].startsWith("cuda  ") && lines[1].contains("no CUDA backend installed"), lines[1]);
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
