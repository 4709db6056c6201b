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
 * cuDNN 9's convolution functions (cudnnConvolutionForward, BackwardData, BackwardFilter, still
 * exported by libcudnn.so.9 and served by libcudnn_cnn) through java.lang.foreign. One handle per
 * device on Ember's stream; NCHW tensors of f32, f64, f16 or bf16; the algorithm is the first of
 * cudnnGet*Algorithm_v7's ranking that succeeds within the workspace bound, cached per problem;
 * workspace comes from the caching allocator. f32 uses TF32 only when {@link Cublas#tf32Allowed()}
 * (cuDNN would otherwise use it by default on Ampere and newer).
 *
 * <p>{@code -Dember.cuda.cudnn=false} turns cuDNN off (convolutions then run as unfold + GEMM).
 *
 * <pre>{@code
 * device.cudnn().ifPresent(dnn -> dnn.forward(DType.F32, x, w, y, xShape, wShape, yShape, stride, pad, dil, groups));
 * }</pre>
 */
public final class Cudnn {

    // cudnnDataType_t, cudnnTensorFormat_t, cudnnConvolutionMode_t, cudnnMathType_t (cudnn_*.h, checked by AbiHeaderTest)
    static final int DATA_FLOAT = 0, DATA_DOUBLE = 1, DATA_HALF = 2, DATA_BFLOAT16 = 9;
    static final int TENSOR_NCHW = 0, CROSS_CORRELATION = 1;
    static final int DEFAULT_MATH = 0, TENSOR_OP_MATH = 1, FMA_MATH = 3;
    /** sizeof(cudnnConvolution{Fwd,BwdData,BwdFilter}AlgoPerf_t); status at 4, memory at 16. */
    static final int PERF_BYTES = 48, PERF_STATUS_OFFSET = 4, PERF_MEMORY_OFFSET = 16;
    static final int ALGO_CANDIDATES = 8;

    /** The most workspace one convolution may take. */
    public static final long MAX_WORKSPACE = 256L << 20;

    /** Which of the three convolution passes. */
    public enum Pass { FORWARD, BACKWARD_DATA, BACKWARD_FILTER }

    private static final Linker LINKER = Linker.nativeLinker();

    private final CudaDevice device;
    private final MemorySegment handle;
    private final MethodHandle createTensor, setTensor, destroyTensor, createFilter, setFilter, destroyFilter, createConv, setConv,
            setGroups, setMath, destroyConv, fwdAlgo, fwdWs, fwd, bwdDataAlgo, bwdDataWs, bwdData, bwdFilterAlgo, bwdFilterWs,
            bwdFilter, addTensor, errorString;
    private final Map<String, int[]> algos = new HashMap<>();

    static boolean disabled() { return "false".equalsIgnoreCase(System.getProperty("ember.cuda.cudnn")); }

    private Cudnn(CudaDevice device, SymbolLookup lib) {
        this.device = device;
        MethodHandle create = bind(lib, "cudnnCreate", ADDRESS);
        MethodHandle setStream = bind(lib, "cudnnSetStream", ADDRESS, ADDRESS);
        createTensor = bind(lib, "cudnnCreateTensorDescriptor", ADDRESS);
        setTensor = bind(lib, "cudnnSetTensor4dDescriptor", ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT);
        destroyTensor = bind(lib, "cudnnDestroyTensorDescriptor", ADDRESS);
        createFilter = bind(lib, "cudnnCreateFilterDescriptor", ADDRESS);
        setFilter = bind(lib, "cudnnSetFilter4dDescriptor", ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT);
        destroyFilter = bind(lib, "cudnnDestroyFilterDescriptor", ADDRESS);
        createConv = bind(lib, "cudnnCreateConvolutionDescriptor", ADDRESS);
        setConv = bind(lib, "cudnnSetConvolution2dDescriptor", ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT,
                JAVA_INT, JAVA_INT);
        setGroups = bind(lib, "cudnnSetConvolutionGroupCount", ADDRESS, JAVA_INT);
        setMath = bind(lib, "cudnnSetConvolutionMathType", ADDRESS, JAVA_INT);
        destroyConv = bind(lib, "cudnnDestroyConvolutionDescriptor", ADDRESS);
        // (handle, in1Desc, in2Desc, convDesc, outDesc, requested, *returned, perf[])
        MemoryLayout[] algoArgs = {ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS};
        // (handle, in1Desc, in2Desc, convDesc, outDesc, algo, *bytes)
        MemoryLayout[] wsArgs = {ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, JAVA_INT, ADDRESS};
        // (handle, alpha, d1, p1, d2, p2, convDesc, algo, ws, wsBytes, beta, outDesc, out)
        MemoryLayout[] runArgs = {ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS,
                ADDRESS, ADDRESS};
        fwdAlgo = bind(lib, "cudnnGetConvolutionForwardAlgorithm_v7", algoArgs);
        fwdWs = bind(lib, "cudnnGetConvolutionForwardWorkspaceSize", wsArgs);
        fwd = bind(lib, "cudnnConvolutionForward", runArgs);
        bwdDataAlgo = bind(lib, "cudnnGetConvolutionBackwardDataAlgorithm_v7", algoArgs);
        bwdDataWs = bind(lib, "cudnnGetConvolutionBackwardDataWorkspaceSize", wsArgs);
        bwdData = bind(lib, "cudnnConvolutionBackwardData", runArgs);
        bwdFilterAlgo = bind(lib, "cudnnGetConvolutionBackwardFilterAlgorithm_v7", algoArgs);
        bwdFilterWs = bind(lib, "cudnnGetConvolutionBackwardFilterWorkspaceSize", wsArgs);
        bwdFilter = bind(lib, "cudnnConvolutionBackwardFilter", runArgs);
        addTensor = bind(lib, "cudnnAddTensor", ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS);
        errorString = LINKER.downcallHandle(lib.find("cudnnGetErrorString").orElseThrow(() -> missing("cudnnGetErrorString")),
                FunctionDescriptor.of(ADDRESS, JAVA_INT));
        device.makeCurrent();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment h = a.allocate(ADDRESS);
            check((int) create.invokeExact(h), "cudnnCreate");
            handle = h.get(ADDRESS, 0);
            check((int) setStream.invokeExact(handle, device.stream().handle()), "cudnnSetStream");
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static Cudnn bind(CudaDevice device, SymbolLookup lib) { return new Cudnn(device, lib); }

    private static UnsupportedOperationException missing(String name) {
        return new UnsupportedOperationException("the cuDNN library found lacks " + name + "; install cuDNN 9");
    }

    private static MethodHandle bind(SymbolLookup lib, String name, MemoryLayout... args) {
        return LINKER.downcallHandle(lib.find(name).orElseThrow(() -> missing(name)), FunctionDescriptor.of(JAVA_INT, args));
    }

    static int dataType(DType d) {
        return switch (d) {
            case F32 -> DATA_FLOAT;
            case F64 -> DATA_DOUBLE;
            case F16 -> DATA_HALF;
            case BF16 -> DATA_BFLOAT16;
            default -> throw new IllegalArgumentException("conv2d: cuDNN has no convolution for " + d);
        };
    }

    static int mathType(DType d) {
        return switch (d) {
            case F16, BF16 -> TENSOR_OP_MATH;
            case F32 -> Cublas.tf32Allowed() ? DEFAULT_MATH : FMA_MATH;
            default -> DEFAULT_MATH;
        };
    }

    /**
     * One convolution pass over NCHW tensors: FORWARD computes {@code y} from {@code x} and
     * {@code w}; BACKWARD_DATA computes {@code x} (the input gradient, or a transposed
     * convolution's output) from {@code w} and {@code y}; BACKWARD_FILTER computes {@code w} from
     * {@code x} and {@code y}. The result is overwritten (beta = 0). Shapes are
     * {@code [n, c, h, w]} and the filter {@code [k, c / groups, kh, kw]} of the forward convolution.
     */
    public void convolution(Pass pass, DType dtype, long x, int[] xs, long w, int[] ws, long y, int[] ys, int[] stride, int[] pad,
                            int[] dil, int groups) {
        int type = dataType(dtype);
        device.makeCurrent();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment xd = tensor(a, type, xs), yd = tensor(a, type, ys), wd = null, cd = null;
            try {
                wd = make(a, createFilter, "cudnnCreateFilterDescriptor");
                check((int) setFilter.invokeExact(wd, type, TENSOR_NCHW, ws[0], ws[1], ws[2], ws[3]),
                        "cudnnSetFilter4dDescriptor(" + java.util.Arrays.toString(ws) + ")");
                cd = make(a, createConv, "cudnnCreateConvolutionDescriptor");
                int compute = dtype == DType.F64 ? DATA_DOUBLE : DATA_FLOAT;
                check((int) setConv.invokeExact(cd, pad[0], pad[1], stride[0], stride[1], dil[0], dil[1], CROSS_CORRELATION, compute),
                        "cudnnSetConvolution2dDescriptor");
                check((int) setGroups.invokeExact(cd, groups), "cudnnSetConvolutionGroupCount(" + groups + ")");
                check((int) setMath.invokeExact(cd, mathType(dtype)), "cudnnSetConvolutionMathType");
                String key = pass + " " + dtype + " " + java.util.Arrays.toString(xs) + java.util.Arrays.toString(ws)
                        + java.util.Arrays.toString(ys) + java.util.Arrays.toString(stride) + java.util.Arrays.toString(pad)
                        + java.util.Arrays.toString(dil) + groups + " " + mathType(dtype);
                int[] algo = algorithm(a, key, pass, xd, wd, cd, yd);
                MemorySegment alpha = scalar(a, dtype, 1), beta = scalar(a, dtype, 0);
                MemorySegment wsBlock = algo[1] > 0 ? device.allocator().allocate(algo[1]) : null;
                MemorySegment wsPtr = wsBlock == null ? MemorySegment.NULL : wsBlock;
                long wsBytes = algo[1];
                MemorySegment px = MemorySegment.ofAddress(x), pw = MemorySegment.ofAddress(w), py = MemorySegment.ofAddress(y);
                try {
                    int rc = switch (pass) {
                        case FORWARD -> (int) fwd.invokeExact(handle, alpha, xd, px, wd, pw, cd, algo[0], wsPtr, wsBytes, beta, yd, py);
                        case BACKWARD_DATA -> (int) bwdData.invokeExact(handle, alpha, wd, pw, yd, py, cd, algo[0], wsPtr, wsBytes, beta, xd, px);
                        case BACKWARD_FILTER -> (int) bwdFilter.invokeExact(handle, alpha, xd, px, yd, py, cd, algo[0], wsPtr, wsBytes, beta, wd, pw);
                    };
                    check(rc, "cudnnConvolution" + name(pass) + "(" + dtype + ", x=" + java.util.Arrays.toString(xs) + ", w="
                            + java.util.Arrays.toString(ws) + ", y=" + java.util.Arrays.toString(ys) + ", algo=" + algo[0] + ")");
                } finally {
                    if (wsBlock != null) device.allocator().release(wsBlock, wsBytes);
                }
            } finally {
                if (cd != null) destroy(destroyConv, cd);
                if (wd != null) destroy(destroyFilter, wd);
                destroy(destroyTensor, yd);
                destroy(destroyTensor, xd);
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** {@code y[n][c][h][w] += bias[c]} for an NCHW tensor {@code y} of shape {@code ys}. */
    public void addBias(DType dtype, long bias, long y, int[] ys) {
        int type = dataType(dtype);
        device.makeCurrent();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment bd = tensor(a, type, new int[] {1, ys[1], 1, 1}), yd = tensor(a, type, ys);
            try {
                check((int) addTensor.invokeExact(handle, scalar(a, dtype, 1), bd, MemorySegment.ofAddress(bias), scalar(a, dtype, 1), yd,
                        MemorySegment.ofAddress(y)), "cudnnAddTensor(bias of " + ys[1] + " channels)");
            } finally {
                destroy(destroyTensor, yd);
                destroy(destroyTensor, bd);
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static String name(Pass p) {
        return switch (p) {
            case FORWARD -> "Forward";
            case BACKWARD_DATA -> "BackwardData";
            case BACKWARD_FILTER -> "BackwardFilter";
        };
    }

    /** {algorithm, workspace bytes}: the best-ranked candidate that succeeds and fits in {@link #MAX_WORKSPACE}. */
    private int[] algorithm(Arena a, String key, Pass pass, MemorySegment xd, MemorySegment wd, MemorySegment cd, MemorySegment yd)
            throws Throwable {
        synchronized (algos) {
            int[] hit = algos.get(key);
            if (hit != null) return hit;
        }
        MemorySegment perf = a.allocate((long) PERF_BYTES * ALGO_CANDIDATES, 8);
        MemorySegment count = a.allocate(JAVA_INT);
        String call = "cudnnGetConvolution" + name(pass) + "Algorithm_v7";
        int rc = switch (pass) {
            case FORWARD -> (int) fwdAlgo.invokeExact(handle, xd, wd, cd, yd, ALGO_CANDIDATES, count, perf);
            case BACKWARD_DATA -> (int) bwdDataAlgo.invokeExact(handle, wd, yd, cd, xd, ALGO_CANDIDATES, count, perf);
            case BACKWARD_FILTER -> (int) bwdFilterAlgo.invokeExact(handle, xd, yd, cd, wd, ALGO_CANDIDATES, count, perf);
        };
        check(rc, call);
        int[] chosen = null;
        for (int i = 0; i < count.get(JAVA_INT, 0) && chosen == null; i++) {
            long base = (long) i * PERF_BYTES;
            if (perf.get(JAVA_INT, base + PERF_STATUS_OFFSET) != 0) continue;
            int algo = perf.get(JAVA_INT, base);
            MemorySegment bytes = a.allocate(JAVA_LONG);
            int wrc = switch (pass) {
                case FORWARD -> (int) fwdWs.invokeExact(handle, xd, wd, cd, yd, algo, bytes);
                case BACKWARD_DATA -> (int) bwdDataWs.invokeExact(handle, wd, yd, cd, xd, algo, bytes);
                case BACKWARD_FILTER -> (int) bwdFilterWs.invokeExact(handle, xd, yd, cd, wd, algo, bytes);
            };
            long need = bytes.get(JAVA_LONG, 0);
            if (wrc == 0 && need <= MAX_WORKSPACE) chosen = new int[] {algo, (int) need};
        }
        if (chosen == null) {
            throw new CudaException(call + "(" + key + ")", 3000, "CUDNN_STATUS_NOT_SUPPORTED",
                    "no algorithm among cuDNN's " + count.get(JAVA_INT, 0) + " candidates runs within " + (MAX_WORKSPACE >> 20)
                            + " MiB of workspace");
        }
        synchronized (algos) {
            algos.put(key, chosen);
        }
        return chosen;
    }

    private MemorySegment tensor(Arena a, int type, int[] s) throws Throwable {
        MemorySegment d = make(a, createTensor, "cudnnCreateTensorDescriptor");
        check((int) setTensor.invokeExact(d, TENSOR_NCHW, type, s[0], s[1], s[2], s[3]),
                "cudnnSetTensor4dDescriptor(" + java.util.Arrays.toString(s) + ")");
        return d;
    }

    private static MemorySegment scalar(Arena a, DType d, double v) {
        return d == DType.F64 ? a.allocateFrom(JAVA_DOUBLE, v) : a.allocateFrom(JAVA_FLOAT, (float) v);
    }

    private MemorySegment make(Arena a, MethodHandle h, String call) throws Throwable {
        MemorySegment out = a.allocate(ADDRESS);
        check((int) h.invokeExact(out), call);
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
        String name = "CUDNN_STATUS_" + status;
        try {
            MemorySegment p = (MemorySegment) errorString.invokeExact(status);
            if (!p.equals(MemorySegment.NULL)) name = p.reinterpret(256).getString(0);
        } catch (Throwable ignored) {
            // keep the numeric name
        }
        throw new CudaException(call, status, name, "cuDNN call failed");
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) return r;
        if (t instanceof Error e) throw e;
        return new IllegalStateException(t);
    }
}
