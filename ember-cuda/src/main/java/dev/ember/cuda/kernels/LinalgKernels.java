package dev.ember.cuda.kernels;

import dev.ember.core.DType;
import dev.ember.core.Tensor;
import dev.ember.core.backend.KernelTable;
import dev.ember.core.ops.LinalgOps;
import dev.ember.cuda.CudaBackend;
import dev.ember.cuda.Cublas;

import java.util.Arrays;
import java.util.EnumSet;

/**
 * Batched matmul through cublasGemmStridedBatchedEx. Transposed operands are passed with the
 * transpose flag instead of being copied; batches that one stride cannot describe are copied
 * contiguous first. Row-major C = A B is computed as column-major C^T = B^T A^T.
 */
final class LinalgKernels {

    private LinalgKernels() {}

    static void register(KernelTable t, CudaBackend b) {
        t.register(LinalgOps.MATMUL, EnumSet.of(DType.F32, DType.F64, DType.F16, DType.BF16),
                (out, in, attrs) -> matmul(b, out[0], in[0], in[1]));
    }

    /** One operand as cuBLAS sees it: pointer, row-major or not, leading dimension, batch stride. */
    private record Operand(long ptr, boolean rowMajor, int ld, long batchStride) {}

    static void matmul(CudaBackend b, Tensor o, Tensor a, Tensor bm) {
        int[] os = o.shape();
        int r = os.length;
        int m = os[r - 2], n = os[r - 1], k = a.shape(-1);
        if (o.numel() == 0) return;
        if (k == 0) {
            CreationKernels.fill(b, o, 0);
            return;
        }
        int[] batch = Arrays.copyOf(os, r - 2);
        long count = 1;
        for (int d : batch) count *= d;
        if (count > Integer.MAX_VALUE) throw new IllegalArgumentException("matmul: batch of " + count + " matrices is too large for cuBLAS");
        Operand A = operand(b, a, batch), B = operand(b, bm, batch);
        Cublas blas = b.device(o.device()).cublas();
        blas.gemmStridedBatched(o.dtype(), B.rowMajor ? Cublas.OP_N : Cublas.OP_T, A.rowMajor ? Cublas.OP_N : Cublas.OP_T,
                n, m, k, B.ptr, B.ld, B.batchStride, A.ptr, A.ld, A.batchStride, Launch.ptr(o), n, (long) m * n, (int) count);
    }

    private static Operand operand(CudaBackend b, Tensor x, int[] batch) {
        int rank = x.dim();
        int rows = x.shape(-2), cols = x.shape(-1);
        long sr = x.stride(-2), sc = x.stride(-1);
        Boolean rowMajor = null;
        long ld = 0;
        if (sc == 1 && (rows == 1 || sr >= cols)) {
            rowMajor = true;
            ld = rows == 1 ? Math.max(cols, 1) : sr;
        } else if (sr == 1 && (cols == 1 || sc >= rows)) {
            rowMajor = false;
            ld = cols == 1 ? Math.max(rows, 1) : sc;
        }
        Long bs = batchStride(x, batch);
        if (rowMajor == null || bs == null || ld > Integer.MAX_VALUE) {
            int[] full = Arrays.copyOf(batch, batch.length + 2);
            full[batch.length] = rows;
            full[batch.length + 1] = cols;
            Tensor c = Tensor.empty(x.dtype(), x.device(), full);
            CopyKernels.copy(b, c, x);
            return new Operand(Launch.ptr(c), true, Math.max(cols, 1), (long) rows * cols);
        }
        return new Operand(Launch.ptr(x), rowMajor, (int) ld, rank == 2 ? 0 : bs);
    }

    /** The one stride that steps through x's matrices in the output's batch order, or null if none does. */
    private static Long batchStride(Tensor x, int[] batch) {
        if (x.dim() == 2) return 0L;
        int[] xs = x.shape();
        long[] st = x.strides();
        int lead = batch.length - (xs.length - 2);
        long[] bstr = new long[batch.length];
        for (int d = 0; d < xs.length - 2; d++) bstr[lead + d] = xs[d] == 1 ? 0 : st[d];
        Long s = null;
        long inner = 1;
        for (int d = batch.length - 1; d >= 0; d--) {
            if (batch[d] != 1) {
                if (s == null) {
                    if (bstr[d] % inner != 0) return null;
                    s = bstr[d] / inner;
                } else if (bstr[d] != s * inner) {
                    return null;
                }
            }
            inner *= batch[d];
        }
        return s == null ? 0L : s;
    }
}
