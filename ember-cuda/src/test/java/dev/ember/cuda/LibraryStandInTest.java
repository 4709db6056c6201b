package dev.ember.cuda;

import dev.ember.core.DType;
import dev.ember.core.Device;
import dev.ember.core.Tensor;
import dev.ember.core.memory.Storage;
import dev.ember.core.ops.ConvOps;
import dev.ember.core.ops.LinalgOps;
import dev.ember.core.ops.NoAttrs;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * cuBLASLt, NVRTC and cuDNN bindings against C stand-ins (src/test/c) next to the stand-in
 * driver: symbol names, argument order and sizes, enum values, error mapping, descriptor
 * clean-up, and (the stand-ins compute f32 GEMMs and convolutions on host memory) the values
 * the linear and convolution kernels produce, against the CPU backend.
 */
class LibraryStandInTest {

    @TempDir static Path dir;
    static StandInDriver driver;
    static SymbolLookup lt, nvrtc, dnn;

    @BeforeAll
    static void build() throws Exception {
        String why = StandInDriver.unavailableReason();
        if (why != null) System.out.println("LibraryStandInTest skipped: " + why);
        assumeTrue(why == null, why);
        Path all = dir.resolve("all");
        driver = StandInDriver.build(all);
        lt = StandInDriver.buildLibrary(all, "libcublasLt_standin.c", "libcublasLt.so.13");
        nvrtc = StandInDriver.buildLibrary(all, "libnvrtc_standin.c", "libnvrtc.so.13");
        dnn = StandInDriver.buildLibrary(all, "libcudnn_standin.c", "libcudnn.so.9");
    }

    private static long call(SymbolLookup lib, String name) {
        try {
            return (long) Linker.nativeLinker().downcallHandle(lib.find(name).orElseThrow(), FunctionDescriptor.of(JAVA_LONG)).invokeExact();
        } catch (Throwable t) { throw new IllegalStateException(t); }
    }

    private static long[] record(SymbolLookup lib, String name, int n) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(JAVA_LONG, n);
            Linker.nativeLinker().downcallHandle(lib.find(name).orElseThrow(), FunctionDescriptor.ofVoid(ADDRESS)).invokeExact(out);
            return out.toArray(JAVA_LONG);
        } catch (Throwable t) { throw new IllegalStateException(t); }
    }

    private static void setInt(SymbolLookup lib, String name, int v) {
        try {
            Linker.nativeLinker().downcallHandle(lib.find(name).orElseThrow(), FunctionDescriptor.ofVoid(JAVA_INT)).invokeExact(v);
        } catch (Throwable t) { throw new IllegalStateException(t); }
    }

    private static Tensor cpu(float[] v, int... shape) {
        return Tensor.wrap(Arena.ofAuto().allocateFrom(ValueLayout.JAVA_FLOAT, v), DType.F32, shape);
    }

    private static float[] random(Random r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) r.nextGaussian();
        return v;
    }

    private static Tensor onDevice(CudaBackend b, float[] v, int... shape) {
        Device d = Device.cuda(0);
        long[] strides = new long[shape.length];
        long s = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            strides[i] = s;
            s *= shape[i];
        }
        Tensor t = Tensor.of(Storage.allocate(d, b.allocator(d), Math.max(4, v.length * 4L)), 0, shape, strides, DType.F32);
        if (v.length > 0) b.copyFromHost(MemorySegment.ofArray(v), 0, t.storage(), 0, v.length * 4L);
        return t;
    }

    private static float[] back(CudaBackend b, Tensor t) {
        float[] out = new float[(int) t.numel()];
        b.copyToHost(t.storage(), 0, MemorySegment.ofArray(out), 0, out.length * 4L);
        return out;
    }

    private static void close(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            if (Math.abs(expected[i] - actual[i]) > 1e-4f * (1 + Math.abs(expected[i]))) {
                throw new AssertionError(what + ": element " + i + " expected " + expected[i] + " but was " + actual[i]);
            }
        }
    }

    @Test
    void theDevicesLineSaysWhichLibrariesWereFound() {
        CudaBackend b = new CudaBackend(driver.libraries());
        assertTrue(b.devices().getFirst().details().endsWith("; cuBLAS no, cuBLASLt yes, cuDNN yes, NVRTC yes"),
                b.devices().getFirst().details());
    }

    @Test
    void linearIsOneCublasLtGemmWhoseEpilogueAddsTheBias() {
        CudaBackend b = new CudaBackend(driver.libraries());
        Random r = new Random(1);
        float[] xv = random(r, 5 * 3), wv = random(r, 4 * 3), bv = random(r, 4);
        Tensor x = onDevice(b, xv, 5, 3), w = onDevice(b, wv, 4, 3), bias = onDevice(b, bv, 4), y = onDevice(b, new float[20], 5, 4);
        long calls = call(lt, "standin_lt_heuristic_calls");
        for (int rep = 0; rep < 2; rep++) {
            b.kernels().find(LinalgOps.LINEAR, DType.F32).run(new Tensor[] {y}, new Tensor[] {x, w, bias}, NoAttrs.INSTANCE);
        }
        close(LinalgOps.linear(cpu(xv, 5, 3), cpu(wv, 4, 3), cpu(bv, 4)).toFloatArray(), back(b, y), "linear");
        assertEquals(calls + 1, call(lt, "standin_lt_heuristic_calls"), "the algorithm is cached per problem");
        long[] last = record(lt, "standin_lt_last", 20);
        // m n k transa transb epilogue compute lda ldb ldd algo wsSize
        assertArrayEquals(new long[] {4, 5, 3, 1, 0, 4, 68, 3, 3, 4, 0xA160, 4096}, java.util.Arrays.copyOf(last, 12));
        assertEquals(w.segment().address(), last[12], "A is the weight");
        assertEquals(x.segment().address(), last[13], "B is the input");
        assertEquals(y.segment().address(), last[14], "D is the output");
        assertEquals(bias.segment().address(), last[15], "the bias pointer attribute");
        assertTrue(last[16] != 0, "a workspace from the caching allocator");
        assertEquals(b.device(0).stream().handle().address(), last[17], "on Ember's stream");
        assertEquals(CublasLt.alignment(w.segment().address()), last[18], "the heuristic is told how A is aligned");
        assertEquals(CublasLt.MAX_WORKSPACE, last[19]);
        assertEquals(0, call(lt, "standin_lt_live"), "descriptors, layouts and preferences are destroyed");
    }

    @Test
    void theReluEpilogueAndAMissingAlgorithmAndABadLayout() {
        CudaBackend b = new CudaBackend(driver.libraries());
        CudaDevice dev = b.device(0);
        CublasLt blas = dev.cublasLt().orElseThrow();
        float[] xv = {1, -2, 3, -4, 5, -6}, wv = {1, 1, 1, -1, 0, 2}, bv = {0.5f, -10};
        Tensor x = onDevice(b, xv, 3, 2), w = onDevice(b, wv, 3, 2), bias = onDevice(b, new float[] {0.5f, -10, 1}, 3),
                y = onDevice(b, new float[9], 3, 3);
        assertTrue(blas.matmul(DType.F32, CublasLt.OP_T, CublasLt.OP_N, 3, 3, 2, w.segment().address(), 2, x.segment().address(), 2,
                y.segment().address(), 3, bias.segment().address(), CublasLt.Epilogue.RELU_BIAS));
        float[] expected = LinalgOps.linear(cpu(xv, 3, 2), cpu(wv, 3, 2), cpu(new float[] {0.5f, -10, 1}, 3)).relu().toFloatArray();
        close(expected, back(b, y), "relu(linear)");
        assertEquals(6, record(lt, "standin_lt_last", 20)[5], "CUBLASLT_EPILOGUE_RELU_BIAS");
        setInt(lt, "standin_lt_set_no_algo", 1);
        try {
            assertFalse(blas.matmul(DType.F32, CublasLt.OP_T, CublasLt.OP_N, 3, 2, 2, w.segment().address(), 2, x.segment().address(), 2,
                    y.segment().address(), 3, bias.segment().address(), CublasLt.Epilogue.BIAS), "no algorithm: the caller falls back");
        } finally {
            setInt(lt, "standin_lt_set_no_algo", 0);
        }
        CudaException e = assertThrows(CudaException.class, () -> blas.matmul(DType.F32, CublasLt.OP_T, CublasLt.OP_N, 3, 3, 2,
                w.segment().address(), 2, x.segment().address(), 2, y.segment().address(), 2, bias.segment().address(), CublasLt.Epilogue.BIAS));
        assertEquals("cublasLtMatrixLayoutCreate(rows=3, cols=3, ld=2) failed: CUBLAS_STATUS_INVALID_VALUE (7): cuBLASLt call failed",
                e.getMessage());
        assertEquals(0, call(lt, "standin_lt_live"), "nothing leaks on failure");
        assertEquals(List.of(1, 2, 4, 8, 256, 256), List.of(CublasLt.alignment(0x1001), CublasLt.alignment(0x1002),
                CublasLt.alignment(0x1004), CublasLt.alignment(0x1008), CublasLt.alignment(0x10000), CublasLt.alignment(0)));
    }

    @Test
    void nvrtcCompilesForTheDevicesArchitectureAndReportsTheLog() {
        CudaBackend b = new CudaBackend(driver.libraries());
        CudaDevice dev = b.device(0);
        RuntimeKernels rk = dev.runtimeKernels();
        assertEquals(new RuntimeKernels.Target("--gpu-architecture=sm_90", true), rk.target(), "stand-in GPU A is compute capability 9.0");
        assertEquals(new RuntimeKernels.Target("--gpu-architecture=compute_90", false), RuntimeKernels.targetFor(120, new int[] {75, 80, 90}),
                "a GPU newer than NVRTC gets PTX for the newest architecture below it");
        UnsupportedOperationException old = assertThrows(UnsupportedOperationException.class,
                () -> RuntimeKernels.targetFor(70, new int[] {75, 80}));
        assertTrue(old.getMessage().contains("none at or below this GPU's compute capability 7.0"), old.getMessage());
        assertArrayEquals(new int[] {13, 0}, rk.nvrtc().version());
        String src = "extern \"C\" __global__ void k(float *x) { x[0] = 1; }";
        RuntimeKernels.Module m = rk.compile("k.cu", src, "-use_fast_math");
        assertTrue(m == rk.compile("k.cu", src, "-use_fast_math"), "compiled once per source and options");
        m.function("k");
        byte[] ptx = rk.nvrtc().compile(src, "p.cu", List.of("--gpu-architecture=compute_80"), false);
        assertEquals("// compiled with --gpu-architecture=compute_80\n" + src, new String(ptx, StandardCharsets.UTF_8),
                "the PTX without its NUL");
        Nvrtc.CompileException e = assertThrows(Nvrtc.CompileException.class,
                () -> rk.nvrtc().compile("#error no such type", "bad.cu", List.of("--gpu-architecture=sm_90"), true));
        assertTrue(e.getMessage().startsWith("nvrtcCompileProgram(bad.cu, [--gpu-architecture=sm_90]) failed: NVRTC_ERROR_COMPILATION (6)"),
                e.getMessage());
        assertTrue(e.log().contains("bad.cu(1): error: no such type"), e.log());
        Nvrtc.CompileException option = assertThrows(Nvrtc.CompileException.class, () -> rk.nvrtc().compile(src, "o.cu", List.of("no-dash"), false));
        assertTrue(option.getMessage().contains("NVRTC_ERROR_INVALID_OPTION (5)"), option.getMessage());
        assertEquals(0, call(nvrtc, "standin_nvrtc_live"), "every program is destroyed, failed ones too");
    }

    @Test
    void convolutionsRunThroughCudnnAndMatchTheCpu() {
        CudaBackend b = new CudaBackend(driver.libraries());
        Random r = new Random(2);
        int[] s = {2, 1}, p = {1, 0}, d = {1, 2};
        int groups = 2;
        float[] xv = random(r, 2 * 4 * 7 * 6), wv = random(r, 6 * 2 * 3 * 2), bv = random(r, 6);
        Tensor xc = cpu(xv, 2, 4, 7, 6), wc = cpu(wv, 6, 2, 3, 2), bc = cpu(bv, 6);
        Tensor yc = ConvOps.conv2d(xc, wc, bc, s, p, d, groups);
        int[] ys = yc.shape();
        Tensor x = onDevice(b, xv, 2, 4, 7, 6), w = onDevice(b, wv, 6, 2, 3, 2), bias = onDevice(b, bv, 6);
        Tensor y = onDevice(b, new float[(int) yc.numel()], ys);
        var attrs = new ConvOps.Conv2dAttrs(s, p, d, groups);
        b.kernels().find(ConvOps.CONV2D, DType.F32).run(new Tensor[] {y}, new Tensor[] {x, w, bias}, attrs);
        close(yc.toFloatArray(), back(b, y), "conv2d");
        long[] last = record(dnn, "standin_dnn_last", 9);
        // pass algo wsBytes groups math mode compute dataType: the unsupported first candidate is skipped, no TF32 for f32
        assertArrayEquals(new long[] {0, 1, 1024, 2, Cudnn.FMA_MATH, 1, 0, 0}, java.util.Arrays.copyOf(last, 8));
        assertEquals(b.device(0).stream().handle(), MemorySegment.ofAddress(call(dnn, "standin_dnn_stream")), "the handle is on Ember's stream");

        float[] gyv = random(r, (int) yc.numel());
        Tensor gw = onDevice(b, new float[wv.length], 6, 2, 3, 2);
        b.kernels().find(ConvOps.CONV2D_WEIGHT_GRAD, DType.F32).run(new Tensor[] {gw}, new Tensor[] {x, onDevice(b, gyv, ys)},
                new ConvOps.WeightGradAttrs(new int[] {6, 2, 3, 2}, s, p, d, groups));
        close(ConvOps.weightGrad(xc, cpu(gyv, ys), new int[] {6, 2, 3, 2}, s, p, d, groups).toFloatArray(), back(b, gw), "weight grad");
        assertEquals(2, record(dnn, "standin_dnn_last", 9)[0]);

        // a transposed convolution from [2, 6, oh, ow] with a [6, 2, 3, 2] filter and 2 groups gives 4 channels
        float[] tv = random(r, (int) yc.numel()), tb = random(r, 4);
        Tensor tc = ConvOps.convTranspose2d(cpu(tv, ys), wc, cpu(tb, 4), s, p, new int[] {0, 0}, groups, d);
        Tensor t = onDevice(b, new float[(int) tc.numel()], tc.shape());
        b.kernels().find(ConvOps.CONV_TRANSPOSE2D, DType.F32).run(new Tensor[] {t}, new Tensor[] {onDevice(b, tv, ys), w, onDevice(b, tb, 4)},
                new ConvOps.ConvTranspose2dAttrs(s, p, new int[] {0, 0}, d, groups));
        close(tc.toFloatArray(), back(b, t), "conv_transpose2d");
        assertEquals(1, record(dnn, "standin_dnn_last", 9)[0]);
        assertEquals(0, call(dnn, "standin_dnn_live"), "descriptors are destroyed");

        Cudnn cudnn = b.device(0).cudnn().orElseThrow();
        CudaException e = assertThrows(CudaException.class, () -> cudnn.convolution(Cudnn.Pass.FORWARD, DType.F32, x.segment().address(),
                new int[] {2, 4, 7, 6}, w.segment().address(), new int[] {6, 2, 3, 2}, y.segment().address(), new int[] {2, 6, 9, 9}, s, p, d, groups));
        assertTrue(e.getMessage().startsWith("cudnnGetConvolutionForwardAlgorithm_v7 failed: CUDNN_STATUS_BAD_PARAM (2000)"), e.getMessage());
        assertEquals(0, call(dnn, "standin_dnn_live"), "nothing leaks on failure");
    }

    @Test
    void withoutTheLibrariesTheDeviceSaysWhatWasSearched() throws Exception {
        StandInDriver plain = StandInDriver.build(dir.resolve("plain"));
        CudaBackend b = new CudaBackend(plain.libraries());
        CudaDevice dev = b.device(0);
        assertTrue(dev.cublasLt().isEmpty());
        assertTrue(dev.cudnn().isEmpty());
        assertTrue(b.devices().getFirst().details().endsWith("; cuBLAS no, cuBLASLt no, cuDNN no, NVRTC no"), b.devices().getFirst().details());
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, dev::runtimeKernels);
        assertTrue(e.getMessage().startsWith("run-time kernel compilation on cuda:0 needs NVRTC: libnvrtc.so.13 not found (NVRTC); searched: "
                + dir.resolve("plain").resolve("libnvrtc.so.13") + ": no such file"), e.getMessage());
        UnsupportedOperationException blas = assertThrows(UnsupportedOperationException.class, dev::cublas);
        assertTrue(blas.getMessage().contains("libcublas.so.13 not found (cuBLAS)"), blas.getMessage());
    }
}
