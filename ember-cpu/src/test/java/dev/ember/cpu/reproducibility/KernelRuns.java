package dev.ember.cpu.reproducibility;

import dev.ember.core.Tensor;
import dev.ember.core.ops.ConvOps;
import dev.ember.core.ops.NormOps;
import dev.ember.core.random.Generator;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Runs the kernels whose float results could depend on the run (on which threads finish first,
 * or on whether the JIT has compiled them yet) on fixed seeded inputs, each on the parallel path
 * of its kernel, and hashes the bits of every output and gradient. A main of its own, so that
 * {@link ReproducibilityTest} can run the same kernels in a JVM with other flags.
 *
 * <p>Usage: {@code KernelRuns (reductions | conv) REPS}: prints one line per run,
 * {@code name=hash name=hash ...}.
 */
final class KernelRuns {

    private KernelRuns() {}

    /**
     * Batch norm forward and backward and f32 sums (sums of vector lanes), and the sigmoid (whose
     * vector form took the Vector API's EXP, compiled by C2 to another approximation than the
     * interpreter's).
     */
    static Map<String, Long> reductions() {
        Map<String, Long> h = new LinkedHashMap<>();
        // 16 channels of 4 planes of 1600: split over threads by channel
        Tensor x = leaf(1, 4, 16, 40, 40), w = leaf(2, 16), b = leaf(3, 16);
        Tensor y = NormOps.batchNorm(x, null, null, w, b, true, 0.1, 1e-5);
        y.mul(randn(4, y.shape())).sum().backward();
        h.put("batch_norm", hash(y, x.grad(), w.grad(), b.grad()));
        Tensor rows = randn(5, 256, 1000);
        h.put("sum_rows", hash(rows.sum(1, false)));
        h.put("sum_nchw", hash(x.detach().sum(new int[] {0, 2, 3}, false)));
        Tensor z = leaf(9, 4, 1, 112, 96).mul(3);
        Tensor s = z.sigmoid();
        s.sum().backward();
        h.put("sigmoid", hash(s));
        return h;
    }

    /** conv2d forward, input and weight gradient: the weight gradient sums per-thread shares of the batch. */
    static Map<String, Long> conv() {
        Map<String, Long> h = new LinkedHashMap<>();
        Tensor x = leaf(6, 8, 16, 48, 48), w = leaf(7, 16, 16, 3, 3);
        Tensor y = ConvOps.conv2d(x, w, null, new int[] {1, 1}, new int[] {1, 1}, new int[] {1, 1}, 1);
        y.mul(randn(8, y.shape())).sum().backward();
        h.put("conv2d", hash(y, x.grad(), w.grad()));
        return h;
    }

    private static Tensor randn(long seed, int... shape) { return Tensor.randn(Generator.seeded(seed), shape); }

    private static Tensor leaf(long seed, int... shape) { return randn(seed, shape).requiresGrad(true); }

    private static long hash(Tensor... ts) {
        long h = 0xcbf29ce484222325L;
        for (Tensor t : ts) {
            for (float f : t.toFloatArray()) {
                h ^= Float.floatToRawIntBits(f);
                h *= 0x100000001b3L;
            }
        }
        return h;
    }

    static String line(Map<String, Long> hashes) {
        StringBuilder s = new StringBuilder();
        hashes.forEach((k, v) -> s.append(s.isEmpty() ? "" : " ").append(k).append('=').append(Long.toHexString(v)));
        return s.toString();
    }

    public static void main(String[] args) {
        boolean conv = args[0].equals("conv");
        int reps = Integer.parseInt(args[1]);
        for (int r = 0; r < reps; r++) System.out.println(line(conv ? conv() : reductions()));
    }
}
