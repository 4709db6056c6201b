package dev.ember.cpu.kernels;

import dev.ember.core.DType;
import dev.ember.core.Tensor;
import dev.ember.core.backend.KernelTable;
import dev.ember.core.ops.LinalgOps;
import dev.ember.cpu.CpuParallel;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.EnumSet;
import java.util.Set;

/** Kernels for matmul (batched, broadcasting, any strides) and the fused linear. */
final class LinalgKernels {

    private static final Set<DType> FLOATS = EnumSet.of(DType.F32, DType.F64);

    private LinalgKernels() {}

    static void register(KernelTable t) {
        t.register(LinalgOps.MATMUL, FLOATS, (out, in, attrs) -> matmul(out[0], in[0], in[1]));
        t.register(LinalgOps.LINEAR, FLOATS, (out, in, attrs) -> linear(out[0], in[0], in[1], in.length > 2 ? in[2] : null));
    }

    private static void matmul(Tensor y, Tensor a, Tensor b) {
        DType d = y.dtype();
        int[] ys = y.shape();
        int r = ys.length, nb = r - 2;
        int m = ys[r - 2], n = ys[r - 1], k = a.shape(-1);
        long[] as = batchStrides(a, nb), bs = batchStrides(b, nb);
        long aRs = a.stride(-2), aCs = a.stride(-1), bRs = b.stride(-2), bCs = b.stride(-1);
        long batch = 1;
        for (int i = 0; i < nb; i++) batch *= ys[i];
        MemorySegment sa = a.segment(), sb = b.segment(), sy = y.segment();
        long mn = (long) m * n;
        // B shared by the whole batch and A's batch laid out as more rows: one taller GEMM
        if (batch > 1 && allZero(bs) && rowsFold(ys, as, aRs, nb)) {
            Gemm.gemm(d, Math.toIntExact(batch * m), n, k, sa, a.offset(), aRs, aCs, sb, b.offset(), bRs, bCs,
                    sy, y.offset(), n, false, true);
            return;
        }
        CpuParallel.Range body = (s, e) -> {
            for (long bi = s; bi < e; bi++) {
                long ao = a.offset(), bo = b.offset(), rem = bi;
                for (int i = nb - 1; i >= 0; i--) {
                    long idx = rem % ys[i];
                    rem /= ys[i];
                    ao += idx * as[i];
                    bo += idx * bs[i];
                }
                Gemm.gemm(d, m, n, k, sa, ao, aRs, aCs, sb, bo, bRs, bCs, sy, y.offset() + bi * mn, n, false, true);
            }
        };
        // many small products: one per thread; few large ones: each product splits itself
        if (batch >= CpuParallel.threads() && mn * k < (1L << 21)) CpuParallel.forRange(batch, 1, body);
        else body.run(0, batch);
    }

    /** The input's strides for each of the output's nb batch dimensions; 0 where it is broadcast. */
    private static long[] batchStrides(Tensor t, int nb) {
        int[] s = t.shape();
        long[] st = t.strides();
        int tb = s.length - 2, lead = nb - tb;
        long[] r = new long[nb];
        for (int i = 0; i < nb; i++) {
            int j = i - lead;
            r[i] = j >= 0 && s[j] != 1 ? st[j] : 0;
        }
        return r;
    }

    private static boolean allZero(long[] v) {
        for (long x : v) if (x != 0) return false;
        return true;
    }

    /** Whether A's batch dimensions continue its rows with the same stride (rows of one taller matrix). */
    private static boolean rowsFold(int[] ys, long[] as, long aRs, int nb) {
        long expect = aRs * ys[nb];
        for (int i = nb - 1; i >= 0; i--) {
            if (ys[i] != 1 && as[i] != expect) return false;
            expect *= ys[i];
        }
        return true;
    }

    private static void linear(Tensor y, Tensor x, Tensor w, Tensor bias) {
        DType d = y.dtype();
        int out = w.shape(0), in = w.shape(1);
        int m = Math.toIntExact(in == 0 ? y.numel() / Math.max(1, out) : x.numel() / in);
        MemorySegment sy = y.segment();
        if (bias != null) {
            MemorySegment sb = bias.segment();
            long bo = bias.offset();
            CpuParallel.forRange(m, Math.max(1, 65536 / Math.max(1, out)), (s, e) -> {
                for (long i = s; i < e; i++) {
                    long row = y.offset() + i * out;
                    if (d == DType.F32) {
                        MemorySegment.copy(sb, bo * 4, sy, row * 4, out * 4L);
                    } else {
                        MemorySegment.copy(sb, bo * 8, sy, row * 8, out * 8L);
                    }
                }
            });
        }
        // B = weight^T read through strides: B[k][j] = w[j][k]
        Gemm.gemm(d, m, out, in, x.segment(), x.offset(), in, 1, w.segment(), w.offset(), 1, in,
                sy, y.offset(), out, bias != null, true);
    }

    static ValueLayout layout(DType d) { return d == DType.F32 ? ValueLayout.JAVA_FLOAT : ValueLayout.JAVA_DOUBLE; }
}
