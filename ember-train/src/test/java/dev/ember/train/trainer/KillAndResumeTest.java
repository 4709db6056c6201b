package dev.ember.train.trainer;

import dev.ember.core.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Kills a training run hard (SIGKILL, a separate JVM) in the middle of an epoch, resumes it from
 * its latest checkpoint, and checks that the final weights equal, bit for bit, those of a run
 * that was never interrupted.
 */
class KillAndResumeTest {

    private static Process start(Path out, String... extra) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), ToyTraining.class.getName(), out.toString()));
        cmd.addAll(List.of(extra));
        return new ProcessBuilder(cmd).redirectErrorStream(true).start();
    }

    @Test
    void resumedRunReachesTheSameWeightsAsAnUninterruptedOne(@TempDir Path tmp) throws Exception {
        Path straight = tmp.resolve("straight"), killed = tmp.resolve("killed");

        Process p = start(straight, "fresh", "fast");
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0, "uninterrupted run failed:\n" + log);

        // 8 batches per epoch, checkpoints every 3 steps: kill during epoch 2 (0-based 1), after step 11
        Process victim = start(killed, "fresh", "slow");
        String lastLine = null;
        try (var r = new BufferedReader(new InputStreamReader(victim.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                lastLine = line;
                if (line.startsWith("step 11 ")) break;
            }
            victim.destroyForcibly(); // SIGKILL: no shutdown hooks, no flushing
            victim.waitFor(30, TimeUnit.SECONDS);
        }
        assertNotNull(lastLine);
        assertTrue(lastLine.startsWith("step 11 epoch 1"), "killed mid-epoch: " + lastLine);
        assertFalse(Files.exists(killed.resolve("model.safetensors")), "the killed run must not have finished");
        String latest = Files.readString(killed.resolve("checkpoints/latest")).trim();
        assertTrue(latest.equals("step-9") || latest.equals("step-12"), "latest checkpoint " + latest);

        Process resumed = start(killed, "resume", "fast");
        String log2 = new String(resumed.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(resumed.waitFor(120, TimeUnit.SECONDS) && resumed.exitValue() == 0, "resumed run failed:\n" + log2);
        int firstResumedStep = Integer.parseInt(log2.lines().filter(l -> l.startsWith("step ")).findFirst().orElseThrow().split(" ")[1]);
        assertTrue(firstResumedStep == 10 || firstResumedStep == 13, "resumed after the checkpoint, at step " + firstResumedStep);

        Map<String, Tensor> a = ToyTraining.weights(straight), b = ToyTraining.weights(killed);
        assertEquals(a.keySet(), b.keySet());
        for (String k : a.keySet()) {
            assertArrayEquals(a.get(k).toByteArray(), b.get(k).toByteArray(), "parameter " + k + " differs after resume");
        }
        // the logs of both runs hold the same four epochs
        assertEquals(Files.readAllLines(straight.resolve("metrics.csv")).size(), Files.readAllLines(killed.resolve("metrics.csv")).size());
        assertTrue(Files.exists(killed.resolve("loss.png")));
    }
}
