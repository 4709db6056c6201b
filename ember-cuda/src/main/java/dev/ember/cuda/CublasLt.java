package dev.ember.cuda;

import dev.ember.core.DType;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.HashMap;
import java.util.Map;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * cuBLASLt through java.lang.foreign: GEMMs whose bias add and activation run in the GEMM's
 * epilogue, so {@code relu(x w^T + b)} is one kernel and one write of the output. One handle per
 * device, on Ember's stream; workspace comes from the device's caching allocator. f16 and bf16 run
 * on tensor cores with f32 accumulation; f32 uses TF32 only when {@link Cublas#tf32Allowed()}.
 *
 * <p>The chosen algorithm is cached per problem (dtype, shape, transposes, epilogue, alignment),
 * so the heuristic query runs once per layer shape.
 *
 * <pre>{@code
 * CublasLt lt = device.cublasLt();   // throws naming the file and where it was looked for
 * boolean done = lt.matmul(DType.F16, CublasLt.OP_T, CublasLt.OP_N, out, rows, in, w, in, x, in, y, out,
 *                          bias, CublasLt.Epilogue.RELU_BIAS);
 * }</pre>
 */
public final class CublasLt {

    public static final int OP_N = Cublas.OP_N, OP_T = Cublas.OP_T;

    // cublasLtMatmulDescAttributes_t, cublasLtMatmulPreferenceAttributes_t (cublasLt.h, checked by AbiHeaderTest)
    static final int DESC_TRANSA = 3, DESC_TRANSB = 4, DESC_EPILOGUE = 7, DESC_BIAS_POINTER = 8;
    static final int PREF_MAX_WORKSPACE_BYTES = 1, PREF_MIN_ALIGNMENT_A = 5, PREF_MIN_ALIGNMENT_B = 6,
            PREF_MIN_ALIGNMENT_C = 7, PREF_MIN_ALIGNMENT_D = 8;
    /** sizeof(cublasLtMatmulAlgo_t) and sizeof(cublasLtMatmulHeuristicResult_t); workspaceSize sits at byte 64. */
    static final int ALGO_BYTES = 64, HEURISTIC_BYTES = 96, HEURISTIC_WORKSPACE_OFFSET = 64;
    static final int STATUS_NOT_SUPPORTED = 15;

    /** The most workspace one GEMM may use; NVIDIA suggests 32 MiB on Hopper, less elsewhere. */
    public static final long MAX_WORKSPACE = 32L << 20;

    /** What the GEMM's epilogue does to {@code op(A) op(B)}; the values are cublasLtEpilogue_t. */
    public enum Epilogue {
        /** Nothing: D = A B. */
        NONE(1),
        /** D = A B + bias (bias broadcast along D's columns, one value per row of D). */
        BIAS(4),
        /** D = max(A B + bias, 0). */
        RELU_BIAS(6),
        /** D = gelu(A B + bias) with cuBLASLt's tanh approximation of gelu. */
        GELU_TANH_BIAS(36);

        final int value;

        Epilogue(int value) { this.value = value; }

        public boolean hasBias() { return this != NONE; }
    }

    private static final Linker LINKER = Linker.nativeLinker();

    private final CudaDevice device;
    private final MemorySegment handle;
    private final MethodHandle descCreate, descSet, descDestroy, layoutCreate, layoutDestroy, prefCreate, prefSet,
            prefDestroy, heuristic, matmul, statusName;
    private final Map<Problem, MemorySegment> algos = new HashMap<>();
    private final Map<Problem, Long> workspaces = new HashMap<>();

    /** One GEMM problem as the heuristic sees it; the key of the algorithm cache. */
    private record Problem(DType dtype, int opA, int opB, int m, int n, int k, int lda, int ldb, int ldd, Epilogue epilogue,
                           int alignA, int alignB, int alignD, boolean tf32) {}

    private CublasLt(CudaDevice device, SymbolLookup lib) {
        this.device = device;
        MethodHandle create = bind(lib, "cublasLtCreate", ADDRESS);
        descCreate = bind(lib, "cublasLtMatmulDescCreate", ADDRESS, JAVA_INT, JAVA_INT);
        descSet = bind(lib, "cublasLtMatmulDescSetAttribute", ADDRESS, JAVA_INT, ADDRESS, JAVA_LONG);
        descDestroy = bind(lib, "cublasLtMatmulDescDestroy", ADDRESS);
        layoutCreate = bind(lib, "cublasLtMatrixLayoutCreate", ADDRESS, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_LONG);
        layoutDestroy = bind(lib, "cublasLtMatrixLayoutDestroy", ADDRESS);
        prefCreate = bind(lib, "cublasLtMatmulPreferenceCreate", ADDRESS);
        prefSet = bind(lib, "cublasLtMatmulPreferenceSetAttribute", ADDRESS, JAVA_INT, ADDRESS, JAVA_LONG);
        prefDestroy = bind(lib, "cublasLtMatmulPreferenceDestroy", ADDRESS);
        heuristic = bind(lib, "cublasLtMatmulAlgoGetHeuristic", ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS,
                JAVA_INT, ADDRESS, ADDRESS);
        matmul = bind(lib, "cublasLtMatmul", ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS,
                ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS);
        statusName = lib.find("cublasLtGetStatusName").map(s -> LINKER.downcallHandle(s, FunctionDescriptor.of(ADDRESS, JAVA_INT)))
                .orElse(null);
        device.makeCurrent();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment h = a.allocate(ADDRESS);
            check((int) create.invokeExact(h), "cublasLtCreate");
            handle = h.get(ADDRESS, 0);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static MethodHandle bind(SymbolLookup lib, String name, MemoryLayout... args) {
        MemorySegment s = lib.find(name).orElseThrow(() -> new UnsupportedOperationException(
                "the cuBLASLt library found lacks " + name + "; install cuBLAS 12 or 13"));
        return LINKER.downcallHandle(s, FunctionDescriptor.of(JAVA_INT, args));
    }

    /** cuBLASLt for {@code device} from {@code lib}; the caller has found the library. */
    static CublasLt bind(CudaDevice device, SymbolLookup lib) { return new CublasLt(device, lib); }

    private static int dataType(DType d) {
        return switch (d) {
            case F32 -> Cublas.CUDA_R_32F;
            case F64 -> Cublas.CUDA_R_64F;
            case F16 -> Cublas.CUDA_R_16F;
            case BF16 -> Cublas.CUDA_R_16BF;
            default -> throw new IllegalArgumentException("linear: cuBLASLt has no GEMM for " + d);
        };
    }

    /** The largest power of two, at most 256, that divides {@code ptr}: what the heuristic may assume. */
    static int alignment(long ptr) {
        return ptr == 0 ? 256 : (int) Math.min(256, Long.lowestOneBit(ptr));
    }

    /**
     * Column-major {@code D[m x n] = epilogue(op(A) op(B))}, alpha = 1, beta = 0, on Ember's
     * stream. {@code bias} is a device pointer to {@code m} values of the dtype (ignored for
     * {@link Epilogue#NONE}). Returns false, having done nothing, when cuBLASLt has no algorithm
     * for this problem (the caller then uses plain cuBLAS).
     */
    public boolean matmul(DType dtype, int opA, int opB, int m, int n, int k, long a, int lda, long b, int ldb,
                          long d, int ldd, long bias, Epilogue epilogue) {
        int type = dataType(dtype);
        boolean tf32 = dtype == DType.F32 && Cublas.tf32Allowed();
        int compute = dtype == DType.F64 ? Cublas.COMPUTE_64F : tf32 ? Cublas.COMPUTE_32F_FAST_TF32 : Cublas.COMPUTE_32F;
        int scale = dtype == DType.F64 ? Cublas.CUDA_R_64F : Cublas.CUDA_R_32F;
        Problem p = new Problem(dtype, opA, opB, m, n, k, lda, ldb, ldd, epilogue, alignment(a), alignment(b), alignment(d), tf32);
        device.makeCurrent();
        try (Arena ar = Arena.ofConfined()) {
            MemorySegment desc = create(ar, descCreate, "cublasLtMatmulDescCreate", compute, scale);
            MemorySegment aL = null, bL = null, dL = null;
            try {
                setInt(ar, desc, DESC_TRANSA, opA);
                setInt(ar, desc, DESC_TRANSB, opB);
                setInt(ar, desc, DESC_EPILOGUE, epilogue.value);
                if (epilogue.hasBias()) {
                    MemorySegment ptr = ar.allocateFrom(JAVA_LONG, bias);
                    check((int) descSet.invokeExact(desc, DESC_BIAS_POINTER, ptr, 8L), "cublasLtMatmulDescSetAttribute(BIAS_POINTER)");
                }
                aL = layout(ar, type, opA == OP_N ? m : k, opA == OP_N ? k : m, lda);
                bL = layout(ar, type, opB == OP_N ? k : n, opB == OP_N ? n : k, ldb);
                dL = layout(ar, type, m, n, ldd);
                MemorySegment algo = algorithm(p, desc, aL, bL, dL);
                if (algo == null) return false;
                long wsBytes = workspaces.get(p);
                MemorySegment ws = wsBytes > 0 ? device.allocator().allocate(wsBytes) : null;
                try {
                    MemorySegment alpha = scale == Cublas.CUDA_R_64F ? ar.allocateFrom(JAVA_DOUBLE, 1.0) : ar.allocateFrom(JAVA_FLOAT, 1f);
                    MemorySegment beta = scale == Cublas.CUDA_R_64F ? ar.allocateFrom(JAVA_DOUBLE, 0.0) : ar.allocateFrom(JAVA_FLOAT, 0f);
                    MemorySegment dPtr = MemorySegment.ofAddress(d);
                    MemorySegment wsPtr = ws == null ? MemorySegment.NULL : ws;
                    int rc = (int) matmul.invokeExact(handle, desc, alpha, MemorySegment.ofAddress(a), aL, MemorySegment.ofAddress(b), bL,
                            beta, dPtr, dL, dPtr, dL, algo, wsPtr, wsPtr.byteSize(),
                            device.stream().handle());
                    check(rc, "cublasLtMatmul(" + dtype + ", m=" + m + ", n=" + n + ", k=" + k + ", epilogue=" + epilogue + ")");
                } finally {
                    // stream-ordered: the next user of this block queues after this GEMM
                    if (ws != null) device.allocator().release(ws, wsBytes);
                }
                return true;
            } finally {
                if (dL != null) destroy(layoutDestroy, dL);
                if (bL != null) destroy(layoutDestroy, bL);
                if (aL != null) destroy(layoutDestroy, aL);
                destroy(descDestroy, desc);
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** The cached algorithm of {@code p}, asking the heuristic the first time; null when it has none. */
    private MemorySegment algorithm(Problem p, MemorySegment desc, MemorySegment aL, MemorySegment bL, MemorySegment dL) throws Throwable {
        synchronized (algos) {
            if (algos.containsKey(p)) return algos.get(p);
        }
        MemorySegment found = null;
        long ws = 0;
        try (Arena ar = Arena.ofConfined()) {
            MemorySegment pref = create(ar, prefCreate, "cublasLtMatmulPreferenceCreate");
            try {
                MemorySegment max = ar.allocateFrom(JAVA_LONG, MAX_WORKSPACE);
                check((int) prefSet.invokeExact(pref, PREF_MAX_WORKSPACE_BYTES, max, 8L), "cublasLtMatmulPreferenceSetAttribute(MAX_WORKSPACE_BYTES)");
                int[] attrs = {PREF_MIN_ALIGNMENT_A, PREF_MIN_ALIGNMENT_B, PREF_MIN_ALIGNMENT_C, PREF_MIN_ALIGNMENT_D};
                int[] values = {p.alignA(), p.alignB(), p.alignD(), p.alignD()};
                for (int i = 0; i < 4; i++) {
                    MemorySegment v = ar.allocateFrom(JAVA_INT, values[i]);
                    check((int) prefSet.invokeExact(pref, attrs[i], v, 4L), "cublasLtMatmulPreferenceSetAttribute(MIN_ALIGNMENT)");
                }
                MemorySegment results = ar.allocate(HEURISTIC_BYTES, 8);
                MemorySegment count = ar.allocate(JAVA_INT);
                int rc = (int) heuristic.invokeExact(handle, desc, aL, bL, dL, dL, pref, 1, results, count);
                if (rc != STATUS_NOT_SUPPORTED) check(rc, "cublasLtMatmulAlgoGetHeuristic(" + p + ")");
                if (rc == 0 && count.get(JAVA_INT, 0) > 0) {
                    found = Arena.global().allocate(ALGO_BYTES, 8);
                    found.copyFrom(results.asSlice(0, ALGO_BYTES));
                    ws = results.get(JAVA_LONG, HEURISTIC_WORKSPACE_OFFSET);
                }
            } finally {
                destroy(prefDestroy, pref);
            }
        }
        synchronized (algos) {
            algos.put(p, found);
            workspaces.put(p, ws);
        }
        return found;
    }

    private MemorySegment layout(Arena ar, int type, long rows, long cols, long ld) throws Throwable {
        MemorySegment out = ar.allocate(ADDRESS);
        check((int) layoutCreate.invokeExact(out, type, rows, cols, ld),
                "cublasLtMatrixLayoutCreate(rows=" + rows + ", cols=" + cols + ", ld=" + ld + ")");
        return out.get(ADDRESS, 0);
    }

    private void setInt(Arena ar, MemorySegment desc, int attr, int value) throws Throwable {
        MemorySegment v = ar.allocateFrom(JAVA_INT, value);
        check((int) descSet.invokeExact(desc, attr, v, 4L), "cublasLtMatmulDescSetAttribute(" + attr + ", " + value + ")");
    }

    private MemorySegment create(Arena ar, MethodHandle h, String call, int... args) throws Throwable {
        MemorySegment out = ar.allocate(ADDRESS);
        int rc = args.length == 2 ? (int) h.invokeExact(out, args[0], args[1]) : (int) h.invokeExact(out);
        check(rc, call);
        return out.get(ADDRESS, 0);
    }

    private static void destroy(MethodHandle h, MemorySegment obj) {
        try {
            int ignored = (int) h.invokeExact(obj);
        } catch (Throwable t) {
            throw rethrow(t);
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
        throw new CudaException(call, status, name, "cuBLASLt call failed");
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) return r;
        if (t instanceof Error e) throw e;
        return new IllegalStateException(t);
    }
}
