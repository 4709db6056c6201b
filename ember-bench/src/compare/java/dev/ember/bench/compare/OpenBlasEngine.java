package dev.ember.bench.compare;

import dev.ember.bench.Engine;
import dev.ember.bench.Timing;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.global.openblas;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * W1 through OpenBLAS's cblas_sgemm (bytedeco presets). The presets bind no thread-count setter:
 * OpenBLAS uses every core, or {@code OPENBLAS_NUM_THREADS} when set, read when it loads.
 */
public final class OpenBlasEngine implements Engine {

    @Override
    public String name() { return "openblas"; }

    @Override
    public Map<String, Double> run(String w, int reps, int warmup) throws Exception {
        if (!w.equals("W1")) throw new UnsupportedOperationException("OpenBLAS is a BLAS: only W1 (GEMM) applies");
        Map<String, Double> r = new LinkedHashMap<>();
        Random rnd = new Random(1);
        for (int n : Timing.W1_SIZES) {
            float[] host = new float[n * n];
            for (int i = 0; i < host.length; i++) host[i] = (float) rnd.nextGaussian();
            try (FloatPointer a = new FloatPointer(host); FloatPointer b = new FloatPointer(host);
                 FloatPointer c = new FloatPointer((long) n * n)) {
                r.putAll(Timing.gflopsMetrics(() -> openblas.cblas_sgemm(openblas.CblasRowMajor, openblas.CblasNoTrans,
                        openblas.CblasNoTrans, n, n, n, 1f, a, n, b, n, 0f, c, n), 2.0 * n * n * n, reps, warmup, "_n" + n));
            }
        }
        return r;
    }
}
