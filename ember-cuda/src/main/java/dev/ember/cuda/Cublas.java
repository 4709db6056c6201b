package dev.ember.cuda;

import dev.ember.core.DType;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * cuBLAS through java.lang.foreign: one handle per device, on Ember's stream, in the device's
 * primary context. GEMMs run on tensor cores for f16 and bf16 (f32 accumulation); f32 uses TF32
 * only when asked ({@link #allowTf32(boolean)} or {@code -Dember.cuda.tf32=true}).
 *
 * <pre>{@code
 * Cublas blas = Cublas.forDevice(device);  // throws naming the file and where it was looked for
 * blas.gemmStridedBatched(...);
 * }</pre>
 */
public final class Cublas {

    public static final int OP_N = 0, OP_T = 1;
    static final int CUDA_R_32F = 0, CUDA_R_64F = 1, CUDA_R_16F = 2, CUDA_R_16BF = 14;
    static final int COMPUTE_32F = 68, COMPUTE_64F = 70, COMPUTE_32F_FAST_TF32 = 77;
    static final int GEMM_DEFAULT = -1;

    private static volatile boolean tf32 = Boolean.getBoolean("ember.cuda.tf32");

    private final CudaDevice device;
    private final MemorySegment handle;
    private final MethodHandle gemmEx, statusName;

    /** Lets f32 GEMMs use TF32 tensor cores (10-bit mantissa inputs, f32 accumulation). */
    public static void allowTf32(boolean allow) { tf32 = allow; }

    public static boolean tf32Allowed() { return tf32; }

    private Cublas(CudaDevice device, SymbolLookup lib) {
        this.device = device;
        Linker linker = Linker.nativeLinker();
        MethodHandle create = linker.downcallHandle(find(lib, "cublasCreate_v2"), FunctionDescriptor.of(JAVA_INT, ADDRESS));
        MethodHandle setStream = linker.downcallHandle(find(lib, "cublasSetStream_v2"), FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        this.statusName = lib.find("cublasGetStatusName").map(s -> linker.downcallHandle(s, FunctionDescriptor.of(ADDRESS, JAVA_INT))).orElse(null);
        MemoryLayout[] args = {ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, JAVA_INT,
                JAVA_LONG, ADDRESS, JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS, ADDRESS, JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_INT,
                JAVA_INT, JAVA_INT};
        this.gemmEx = linker.downcallHandle(find(lib, "cublasGemmStridedBatchedEx"), FunctionDescriptor.of(JAVA_INT, args));
        device.makeCurrent();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment h = a.allocate(ADDRESS);
            check((int) create.invokeExact(h), "cublasCreate_v2");
            this.handle = h.get(ADDRESS, 0);
            check((int) setStream.invokeExact(handle, device.stream().handle()), "cublasSetStream_v2");
        } catch (Throwable t) {
            throw t instanceof RuntimeException r ? r : new IllegalStateException(t);
        }
    }

    private static MemorySegment find(SymbolLookup lib, String name) {
        return lib.find(name).orElseThrow(() -> new UnsupportedOperationException(
                "the cuBLAS library found lacks " + name + "; install cuBLAS 12 or 13"));
    }

    /** cuBLAS for {@code device}, made on first use; an error says which file was looked for where. */
    static Cublas create(CudaDevice device, CudaLibraries.Found f) {
        if (!f.isPresent()) {
            throw new UnsupportedOperationException("matmul on " + device.device() + " needs cuBLAS: " + f.missingReason()
                    + ". Install cuBLAS (the CUDA toolkit, or pip install nvidia-cublas) or set EMBER_CUDA_PATH");
        }
        return new Cublas(device, f.lookup());
    }

    /**
     * Column-major {@code C[i] = A[i] op B[i]} for {@code batch} matrices, as
     * cublasGemmStridedBatchedEx; alpha = 1, beta = 0. Strides are in elements.
     */
    public void gemmStridedBatched(DType dtype, int opA, int opB, int m, int n, int k, long a, int lda, long strideA,
                                   long b, int ldb, long strideB, long c, int ldc, long strideC, int batch) {
        gemmStridedBatched(dtype, opA, opB, m, n, k, a, lda, strideA, b, ldb, strideB, c, ldc, strideC, batch, false);
    }

    /**
     * As {@link #gemmStridedBatched(DType, int, int, int, int, int, long, int, long, long, int, long, long, int, long, int)},
     * adding into C (beta = 1) when {@code accumulate}: bias epilogues and sums over chunks.
     */
    public void gemmStridedBatched(DType dtype, int opA, int opB, int m, int n, int k, long a, int lda, long strideA,
                                   long b, int ldb, long strideB, long c, int ldc, long strideC, int batch, boolean accumulate) {
        int type = switch (dtype) {
            case F32 -> CUDA_R_32F;
            case F64 -> CUDA_R_64F;
            case F16 -> CUDA_R_16F;
            case BF16 -> CUDA_R_16BF;
            default -> throw new IllegalArgumentException("matmul: cuBLAS has no GEMM for " + dtype);
        };
        int compute = dtype == DType.F64 ? COMPUTE_64F : dtype == DType.F32 && tf32 ? COMPUTE_32F_FAST_TF32 : COMPUTE_32F;
        device.makeCurrent();
        try (Arena ar = Arena.ofConfined()) {
            MemorySegment alpha = dtype == DType.F64 ? ar.allocateFrom(JAVA_DOUBLE, 1.0) : ar.allocateFrom(JAVA_FLOAT, 1f);
            MemorySegment beta = dtype == DType.F64 ? ar.allocateFrom(JAVA_DOUBLE, accumulate ? 1.0 : 0.0)
                    : ar.allocateFrom(JAVA_FLOAT, accumulate ? 1f : 0f);
            int rc = (int) gemmEx.invokeExact(handle, opA, opB, m, n, k, alpha, MemorySegment.ofAddress(a), type, lda, strideA,
                    MemorySegment.ofAddress(b), type, ldb, strideB, beta, MemorySegment.ofAddress(c), type, ldc, strideC, batch,
                    compute, GEMM_DEFAULT);
            check(rc, "cublasGemmStridedBatchedEx(" + dtype + ", m=" + m + ", n=" + n + ", k=" + k + ", batch=" + batch + ")");
        } catch (Throwable t) {
            throw t instanceof RuntimeException r ? r : new IllegalStateException(t);
        }
    }

    private void check(int status, String call) {
        if (status == 0) return;
        String name = "CUBLAS_STATUS_" + status;
        if (statusName != null) {
            try {
                MemorySegment p = (MemorySegment) statusName.invokeExact(status);
                if (!p.equals(MemorySegment.NULL)) name = p.reinterpret(256).getString(0);
            } catch (Throwable ignored) {
                // keep the numeric name
            }
        }
        throw new CudaException(call, status, name, "cuBLAS call failed");
    }
}
