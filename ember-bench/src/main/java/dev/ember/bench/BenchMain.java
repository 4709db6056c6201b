package dev.ember.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The end-to-end benchmark runner: workloads W1..W6 through Ember, and with {@code --vs} the same
 * workloads through other engines, one result per line.
 *
 * <pre>{@code
 * java --add-modules jdk.incubator.vector -jar ember-bench/target/ember-bench.jar W1 W2 --vs libtorch,openblas
 * W1 ember gflops_n1024=61.2
 * W1 openblas gflops_n1024=130.4
 * W1 ratio ember/openblas n1024=0.47
 * }</pre>
 *
 * Workloads: W1 GEMM N=512,1024,2048 (GFLOP/s); W2 MLP 784-512-256-10 train step, batch 128;
 * W3 the MNIST CNN train step, batch 64; W4 ResNet-18 (10 classes) train step, batch 8 of
 * 3x128x128; W5 ResNet-18 inference, batch 1 and 32 of 3x224x224, plain ({@code ember}) and through
 * the inference optimizer ({@code ember-fused}: batch norm folded, conv epilogues fused); W6 U-Net train step, batch 4
 * of 1x128x128. Train steps are forward, cross-entropy (MSE for the U-Net), backward and an SGD
 * update; times are per step. Options: {@code --reps N} timed repetitions (default 10),
 * {@code --warmup N} (default 3; warm-up also lasts at least 10 s, {@code -Dember.bench.warmupSeconds}), {@code --vs a,b} engines among libtorch, onnxruntime, openblas
 * (they need the jar built with {@code -Pcompare}).
 */
public final class BenchMain {

    private BenchMain() {}

    public static void main(String[] args) throws Exception {
        List<String> workloads = new ArrayList<>();
        List<String> vs = new ArrayList<>();
        int reps = 10, warmup = 3;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--vs" -> vs.addAll(List.of(args[++i].split(",")));
                case "--reps" -> reps = Integer.parseInt(args[++i]);
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                case "-h", "--help" -> {
                    System.out.println("usage: BenchMain [W1..W6 ...] [--vs libtorch,onnxruntime,openblas] [--reps N] [--warmup N]");
                    return;
                }
                default -> {
                    if (!a.matches("W[1-6]")) throw new IllegalArgumentException("bench: unknown workload or option '" + a + "'");
                    workloads.add(a);
                }
            }
        }
        if (workloads.isEmpty()) workloads.addAll(List.of("W1", "W2", "W3", "W4", "W5", "W6"));
        Locale.setDefault(Locale.ROOT);
        System.out.println("# threads=" + dev.ember.cpu.CpuParallel.threads() + " java=" + Runtime.version()
                + " reps=" + reps + " warmup=" + warmup + " warmup_seconds>=" + Timing.WARMUP_SECONDS);
        System.out.println("# ratio ember/other: for times (ms_*, cpu_ms*) below 1 means Ember is faster;"
                + " for rates (gflops*) below 1 means Ember is slower");

        // Engine by engine, Ember first: Ember is measured before any other engine's native thread
        // pool exists, because OpenBLAS's and OpenMP's idle threads keep spinning for a while after
        // each call and take the cores from whatever runs next (Ember's W1 fell from 127 to 75
        // GFLOP/s when it followed OpenBLAS's W1). Ember's pool threads park when idle.
        List<String> engineNames = new ArrayList<>();
        engineNames.add("ember");
        if (workloads.contains("W5")) engineNames.add("ember-fused");
        for (String name : vs) engineNames.add(name.trim());
        Map<String, Map<String, Map<String, Double>>> results = new LinkedHashMap<>();
        for (String w : workloads) results.put(w, new LinkedHashMap<>());
        for (String name : engineNames) {
            Engine e = switch (name) {
                case "ember" -> new EmberEngine();
                case "ember-fused" -> new EmberFusedEngine();
                default -> Engines.load(name);
            };
            for (String w : workloads) {
                if (!e.runs(w)) continue;
                Map<String, Double> r;
                try {
                    r = e.run(w, reps, warmup);
                } catch (UnsupportedOperationException skip) {
                    System.out.println(w + " " + e.name() + " skipped: " + skip.getMessage());
                    continue;
                }
                r.forEach((k, v) -> System.out.printf("%s %s %s=%.3f%n", w, e.name(), k, v));
                System.out.flush();
                results.get(w).put(e.name(), r);
            }
        }
        for (String w : workloads) {
            Map<String, Map<String, Double>> byEngine = results.get(w);
            // each Ember variant against every other engine, and the optimized model against the plain one
            for (String mine : List.of("ember", "ember-fused")) {
                Map<String, Double> ember = byEngine.get(mine);
                if (ember == null) continue;
                for (var other : byEngine.entrySet()) {
                    String o = other.getKey();
                    if (o.equals(mine) || (o.startsWith("ember") && !(mine.equals("ember-fused") && o.equals("ember")))) continue;
                    for (var m : ember.entrySet()) {
                        Double v = other.getValue().get(m.getKey());
                        if (v == null || v == 0) continue;
                        // for times, ratio > 1 means Ember is slower; for GFLOP/s, ratio < 1 does
                        System.out.printf("%s ratio %s/%s %s=%.3f%n", w, mine, o, m.getKey(), m.getValue() / v);
                    }
                }
            }
        }
    }
}
