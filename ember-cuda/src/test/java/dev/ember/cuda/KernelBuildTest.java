package dev.ember.cuda;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The committed fatbins match their sources, and ptxas accepts the PTX for sm_90. */
class KernelBuildTest {

    static final Path SRC = Path.of("src/main/cuda");
    static final Path OUT = Path.of("src/main/resources/dev/ember/cuda/kernels");

    @Test
    void committedFatbinsAreCurrentForTheirSources() throws Exception {
        List<String> lines = Files.readAllLines(OUT.resolve("MANIFEST"));
        String flagsId = lines.get(1).substring(2);
        Map<String, String> recorded = new LinkedHashMap<>();
        for (String l : lines) {
            if (l.startsWith("#") || l.isBlank()) continue;
            String[] p = l.split(" ");
            recorded.put(p[0], p[1]);
        }
        List<String> stale = new ArrayList<>();
        try (Stream<Path> s = Files.list(SRC)) {
            for (Path cu : s.filter(p -> p.toString().endsWith(".cu")).sorted().toList()) {
                String fam = cu.getFileName().toString().replace(".cu", "");
                MessageDigest md = MessageDigest.getInstance("SHA-256");
                md.update(Files.readAllBytes(cu));
                md.update(Files.readAllBytes(SRC.resolve("ember.cuh")));
                md.update(flagsId.getBytes(StandardCharsets.UTF_8));
                String h = HexFormat.of().formatHex(md.digest());
                if (!h.equals(recorded.get(fam)) || !Files.exists(OUT.resolve(fam + ".fatbin"))) stale.add(fam);
            }
        }
        assertTrue(stale.isEmpty(), "ember-cuda kernels " + stale + " changed since their fatbins were built: run "
                + "scripts/build-kernels.sh where nvcc (CUDA 13) exists and commit the results");
        assertEquals(11, recorded.size(), "one family per file: " + recorded.keySet());
    }

    @Test
    void ptxasAcceptsEveryFamilyForSm90() throws Exception {
        String ptxas = ptxas();
        if (ptxas == null) System.out.println("KernelBuildTest.ptxas skipped: ptxas not found on PATH, in CUDA_HOME or /usr/local/cuda");
        assumeTrue(ptxas != null, "ptxas not found on PATH, in CUDA_HOME or /usr/local/cuda");
        List<Path> files;
        try (Stream<Path> s = Files.list(SRC.resolve("ptx"))) {
            files = s.filter(p -> p.toString().endsWith(".ptx")).sorted().toList();
        }
        assertEquals(11, files.size(), files.toString());
        // ptxas takes about a minute for all families on two cores, so PTX it already accepted
        // (same hash, recorded under target/) is not checked again until it changes or after mvn clean
        Path stamps = Path.of("target/ptxas-accepted");
        Files.createDirectories(stamps);
        List<Path> todo = new ArrayList<>();
        List<String> hashes = new ArrayList<>();
        for (Path f : files) {
            String h = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(f)));
            Path stamp = stamps.resolve(f.getFileName() + ".sha256");
            if (Files.exists(stamp) && Files.readString(stamp).equals(h)) continue;
            todo.add(f);
            hashes.add(h);
        }
        System.out.println("KernelBuildTest: ptxas -arch=sm_90 on " + todo.size() + " of " + files.size()
                + " PTX files (the others were accepted unchanged before)");
        List<Process> running = new ArrayList<>();
        for (Path f : todo) {
            running.add(new ProcessBuilder(ptxas, "-arch=sm_90", "-o", "/dev/null", f.toString()).redirectErrorStream(true).start());
        }
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < todo.size(); i++) {
            Process p = running.get(i);
            String out = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) failures.add(todo.get(i) + ": " + out);
            else Files.writeString(stamps.resolve(todo.get(i).getFileName() + ".sha256"), hashes.get(i));
        }
        assertTrue(failures.isEmpty(), String.join("\n", failures));
    }

    static String ptxas() throws IOException {
        List<Path> c = new ArrayList<>();
        for (String d : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) c.add(Path.of(d, "ptxas"));
        String home = System.getenv("CUDA_HOME");
        if (home != null) c.add(Path.of(home, "bin", "ptxas"));
        c.add(Path.of("/usr/local/cuda/bin/ptxas"));
        for (Path p : c) if (Files.isExecutable(p)) return p.toString();
        return null;
    }
}
