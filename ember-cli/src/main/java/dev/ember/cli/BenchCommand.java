package dev.ember.cli;

import dev.ember.bench.BenchMain;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.jar.JarFile;

/**
 * {@code ember bench [W1..W6 ...] [--vs libtorch,onnxruntime,openblas]}: the benchmark workloads,
 * one result a line. Ember alone runs in this process. The comparison engines live only in the
 * bench jar built with {@code -Pcompare} (the default build never downloads them): with
 * {@code --vs} this command runs that jar in a new JVM when it is built, and otherwise prints the
 * command that builds it.
 * <pre>{@code
 * ./ember bench W1
 * W1 ember gflops_n512=40.1
 * ./ember bench W2 W3 --vs libtorch --reps 5
 * }</pre>
 */
@Command(name = "bench", description = "Run benchmark workloads, one result a line: W1 GEMM 512/1024/2048 (GFLOP/s), "
        + "W2 MLP, W3 MNIST CNN, W4 ResNet-18, W6 U-Net train steps (ms), W5 ResNet-18 inference batch 1 and 32 (ms). "
        + "Default: all. --vs compares with libtorch, onnxruntime or openblas (needs the bench jar built with -Pcompare).")
final class BenchCommand implements Callable<Integer> {

    static final String COMPARE_CLASS = "dev/ember/bench/compare/TorchEngine.class";
    static final String BUILD_COMPARE = "./mvnw -q -B -Pcompare package -DskipTests -pl ember-cli,ember-bench -am";

    @Parameters(arity = "0..*", paramLabel = "WORKLOAD", description = "W1 .. W6 (default: all)")
    List<String> workloads = new ArrayList<>();

    @Option(names = "--vs", split = ",", paramLabel = "ENGINE", description = "libtorch, onnxruntime, openblas")
    List<String> vs = new ArrayList<>();

    @Option(names = "--reps", defaultValue = "10", description = "timed repetitions (default ${DEFAULT-VALUE})")
    int reps;

    @Option(names = "--warmup", defaultValue = "3", description = "untimed repetitions first (default ${DEFAULT-VALUE})")
    int warmup;

    @Override
    public Integer call() throws Exception {
        List<String> args = new ArrayList<>();
        for (String w : workloads) {
            String u = w.toUpperCase(Locale.ROOT);
            if (!u.matches("W[1-6]")) {
                throw new IllegalArgumentException("bench: unknown workload '" + w + "'; expected W1 .. W6");
            }
            args.add(u);
        }
        if (reps < 1 || warmup < 0) throw new IllegalArgumentException("bench: --reps must be >= 1 and --warmup >= 0");
        args.addAll(List.of("--reps", Integer.toString(reps), "--warmup", Integer.toString(warmup)));
        if (vs.isEmpty()) {
            BenchMain.main(args.toArray(String[]::new));
            return 0;
        }
        for (String e : vs) {
            if (!List.of("libtorch", "onnxruntime", "openblas").contains(e.trim())) {
                throw new IllegalArgumentException("bench: unknown engine '" + e + "'; expected libtorch, onnxruntime or openblas");
            }
        }
        args.add("--vs");
        args.add(String.join(",", vs));
        Path jar = benchJar();
        if (jar == null || !hasCompareClasses(jar)) {
            System.err.println("ember bench: --vs needs the bench jar built with the comparison engines"
                    + (jar == null ? "" : " (" + jar + " has none)") + ". Build it (downloads DJL/libtorch, ONNX Runtime "
                    + "and OpenBLAS from Maven Central once) and run again:");
            System.err.println("  " + BUILD_COMPARE);
            System.err.println("  ./ember bench " + String.join(" ", args));
            return 2;
        }
        return runJar(jar, args);
    }

    /** ember-bench/target/ember-bench.jar next to this CLI's target folder, or -Dember.bench.jar. */
    static Path benchJar() {
        String p = System.getProperty("ember.bench.jar");
        if (p != null) return Path.of(p);
        try {
            Path cli = Path.of(BenchCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            // ember-cli/target/ember-cli.jar -> the checkout's root
            Path root = cli.getParent() == null || cli.getParent().getParent() == null ? null : cli.getParent().getParent().getParent();
            if (root == null) return null;
            Path jar = root.resolve("ember-bench/target/ember-bench.jar");
            return Files.isRegularFile(jar) ? jar : null;
        } catch (Exception e) {
            return null;
        }
    }

    static boolean hasCompareClasses(Path jar) {
        try (JarFile f = new JarFile(jar.toFile())) {
            return f.getEntry(COMPARE_CLASS) != null;
        } catch (IOException e) {
            return false;
        }
    }

    /** A new JVM with this one's flags (vector module, native access, heap) on the compare jar. */
    private static int runJar(Path jar, List<String> args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (!a.startsWith("-Dember.bench.jar") && !a.startsWith("-agentlib") && !a.startsWith("-javaagent")) cmd.add(a);
        }
        String threads = System.getProperty("ember.cpu.threads");
        if (threads != null && cmd.stream().noneMatch(a -> a.startsWith("-Dember.cpu.threads"))) cmd.add("-Dember.cpu.threads=" + threads);
        cmd.add("-jar");
        cmd.add(jar.toString());
        cmd.addAll(args);
        return new ProcessBuilder(cmd).inheritIO().start().waitFor();
    }
}
