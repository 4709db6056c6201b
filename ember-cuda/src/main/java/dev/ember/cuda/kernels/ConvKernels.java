package dev.ember.cuda.kernels;

import dev.ember.core.DType;
import dev.ember.core.Tensor;
import dev.ember.core.backend.KernelTable;
import dev.ember.core.ops.ConvOps;
import dev.ember.core.ops.LinalgOps;
import dev.ember.cuda.CudaBackend;
import dev.ember.cuda.CudaDevice;
import dev.ember.cuda.Cublas;
import dev.ember.cuda.CublasLt;
import dev.ember.cuda.Cudnn;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/**
 * conv2d, conv_transpose2d and conv2d_weight_grad as unfold (conv.cu) plus one cuBLAS GEMM per
 * group over a chunk of images laid side by side, so a late ResNet layer (7x7 outputs) still
 * makes one wide GEMM rather than a batch of thin ones; and linear as one GEMM that adds into
 * the bias rows. Chunks keep the column matrix under {@link #COLUMN_BYTES}.
 */
final class ConvKernels {

    private ConvKernels() {}

    /** Upper bound on the scratch column matrix of one chunk of images. */
    static final long COLUMN_BYTES = 256L << 20;
    private static final Set<DType> FLOATS = EnumSet.of(DType.F32, DType.F64);

    static void register(KernelTable t, CudaBackend b) {
        t.register(ConvOps.CONV2D, FLOATS, (out, in, a) ->
                conv2d(b, out[0], in[0], in[1], in.length > 2 ? in[2] : null, a.stride(), a.padding(), a.dilation(), a.groups()));
        t.register(ConvOps.CONV_TRANSPOSE2D, FLOATS, (out, in, a) ->
                convTranspose2d(b, out[0], in[0], in[1], in.length > 2 ? in[2] : null, a.stride(), a.padding(), a.dilation(), a.groups()));
        t.register(ConvOps.CONV2D_WEIGHT_GRAD, FLOATS, (out, in, a) ->
                weightGrad(b, out[0], in[0], in[1], a.stride(), a.padding(), a.dilation(), a.groups()));
        t.register(LinalgOps.LINEAR, FLOATS, (out, in, a) -> linear(b, out[0], in[0], in[1], in.length > 2 ? in[2] : null));
    }

    /** Device scratch memory from the caching allocator, returned on close (stream-ordered, so at once). */
    private record Scratch(CudaDevice dev, MemorySegment block, long bytes) implements AutoCloseable {
        static Scratch of(CudaDevice dev, long bytes) {
            long n = Math.max(bytes, 1);
            return new Scratch(dev, dev.allocator().allocate(n), n);
        }

        long ptr() { return block.address(); }

        @Override
        public void close() { dev.allocator().release(block, bytes); }
    }

    /** The ConvGeom struct of conv.cu: six i64 sizes then eight ints (80 bytes). */
    private static MemorySegment geom(long nb, long c, long h, long w, long oh, long ow, int kh, int kw, int[] s, int[] p, int[] d) {
        MemorySegment m = Arena.ofAuto().allocate(80, 8);
        long[] sizes = {nb, c, h, w, oh, ow};
        for (int i = 0; i < 6; i++) m.set(ValueLayout.JAVA_LONG, 8L * i, sizes[i]);
        int[] ints = {kh, kw, s[0], s[1], p[0], p[1], d[0], d[1]};
        for (int i = 0; i < 8; i++) m.set(ValueLayout.JAVA_INT, 48 + 4L * i, ints[i]);
        return m;
    }

    /** Images per chunk so that {@code perImage} elements each stay under the scratch bound. */
    private static int chunk(int n, long perImage, int es) {
        long fit = COLUMN_BYTES / Math.max(1, perImage * es);
        return (int) Math.max(1, Math.min(n, fit));
    }

    private static int gemmDim(String op, long v) {
        if (v > Integer.MAX_VALUE) throw new IllegalArgumentException(op + ": a GEMM dimension of " + v + " is too large for cuBLAS");
        return (int) v;
    }

    private static long biasPtr(Tensor bias) { return bias == null ? 0L : Launch.ptr(bias); }

    private static void fillBiasOrZero(CudaBackend b, Tensor y, Tensor bias, long rows, long cols, long inner) {
        if (bias == null) {
            CreationKernels.fill(b, y, 0);
            return;
        }
        // y[r][c][l] = bias[c] as the reorder of an all-zero [C][rows*L] source plus bias
        CudaDevice dev = Launch.device(b, y);
        int es = y.dtype().byteSize();
        try (Scratch zero = Scratch.of(dev, rows * cols * inner * es)) {
            dev.makeCurrent();
            dev.driver().memsetD8Async(zero.ptr(), (byte) 0, rows * cols * inner * es, dev.stream().handle());
            dev.launch("conv_from_cnl_" + Launch.name(y.dtype()), Launch.grid(y.numel()), Launch.BLOCK, 0, rows, cols, inner,
                    zero.ptr(), Launch.ptr(bias), Launch.ptr(y));
        }
    }

    static void conv2d(CudaBackend b, Tensor y, Tensor x, Tensor w, Tensor bias, int[] s, int[] p, int[] d, int groups) {
        if (y.numel() == 0) return;
        int n = x.shape(0), c = x.shape(1), h = x.shape(2), wd = x.shape(3);
        int oc = w.shape(0), cg = w.shape(1), kh = w.shape(2), kw = w.shape(3), oh = y.shape(2), ow = y.shape(3);
        long l = (long) oh * ow, k2 = (long) kh * kw, kg = cg * k2;
        int ocg = oc / groups, es = y.dtype().byteSize();
        if (kg == 0) {
            fillBiasOrZero(b, y, bias, n, oc, l);
            return;
        }
        CudaDevice dev = Launch.device(b, y);
        Optional<Cudnn> dnn = dev.cudnn();
        if (dnn.isPresent()) {
            dnn.get().convolution(Cudnn.Pass.FORWARD, y.dtype(), Launch.ptr(x), x.shape(), Launch.ptr(w), w.shape(), Launch.ptr(y),
                    y.shape(), s, p, d, groups);
            if (bias != null) dnn.get().addBias(y.dtype(), Launch.ptr(bias), Launch.ptr(y), y.shape());
            return;
        }
        Cublas blas = dev.cublas();
        String t = Launch.name(y.dtype());
        int nb = chunk(n, (c * k2 + oc) * l, es);
        try (Scratch col = Scratch.of(dev, c * k2 * nb * l * es); Scratch tmp = Scratch.of(dev, (long) oc * nb * l * es)) {
            for (int n0 = 0; n0 < n; n0 += nb) {
                int m = Math.min(nb, n - n0);
                long cols = m * l;
                int ldc = gemmDim("conv2d", cols);
                dev.launch("conv_im2col_" + t, Launch.grid(c * k2 * cols), Launch.BLOCK, 0,
                        geom(m, c, h, wd, oh, ow, kh, kw, s, p, d), Launch.ptr(x) + (long) n0 * c * h * wd * es, col.ptr());
                for (int g = 0; g < groups; g++) {
                    blas.gemmStridedBatched(y.dtype(), Cublas.OP_N, Cublas.OP_N, ldc, ocg, gemmDim("conv2d", kg),
                            col.ptr() + g * kg * cols * es, ldc, 0, Launch.ptr(w) + g * ocg * kg * es, (int) kg, 0,
                            tmp.ptr() + g * ocg * cols * es, ldc, 0, 1);
                }
                dev.launch("conv_from_cnl_" + t, Launch.grid(oc * cols), Launch.BLOCK, 0, (long) m, (long) oc, l, tmp.ptr(),
                        biasPtr(bias), Launch.ptr(y) + (long) n0 * oc * l * es);
            }
        }
    }

    static void convTranspose2d(CudaBackend b, Tensor y, Tensor x, Tensor w, Tensor bias, int[] s, int[] p, int[] d, int groups) {
        if (y.numel() == 0) return;
        int n = x.shape(0), cin = x.shape(1), ih = x.shape(2), iw = x.shape(3);
        int coutg = w.shape(1), kh = w.shape(2), kw = w.shape(3);
        int cout = y.shape(1), oh = y.shape(2), ow = y.shape(3);
        long lin = (long) ih * iw, k2 = (long) kh * kw, kc = coutg * k2;
        int cing = cin / groups, es = y.dtype().byteSize();
        if (cing == 0 || lin == 0) {
            fillBiasOrZero(b, y, bias, n, cout, (long) oh * ow);
            return;
        }
        CudaDevice dev = Launch.device(b, y);
        Optional<Cudnn> dnn = dev.cudnn();
        if (dnn.isPresent()) {
            // the transposed convolution is the data gradient of the convolution from y's shape to x's
            dnn.get().convolution(Cudnn.Pass.BACKWARD_DATA, y.dtype(), Launch.ptr(y), y.shape(), Launch.ptr(w), w.shape(),
                    Launch.ptr(x), x.shape(), s, p, d, groups);
            if (bias != null) dnn.get().addBias(y.dtype(), Launch.ptr(bias), Launch.ptr(y), y.shape());
            return;
        }
        Cublas blas = dev.cublas();
        String t = Launch.name(y.dtype());
        int nb = chunk(n, (cout * k2 + cin) * lin, es);
        try (Scratch xp = Scratch.of(dev, (long) cin * nb * lin * es); Scratch col = Scratch.of(dev, cout * k2 * nb * lin * es)) {
            for (int n0 = 0; n0 < n; n0 += nb) {
                int m = Math.min(nb, n - n0);
                long cols = m * lin;
                int ld = gemmDim("conv_transpose2d", cols);
                dev.launch("conv_to_cnl_" + t, Launch.grid(cin * cols), Launch.BLOCK, 0, (long) m, (long) cin, lin,
                        Launch.ptr(x) + (long) n0 * cin * lin * es, xp.ptr());
                for (int g = 0; g < groups; g++) {
                    blas.gemmStridedBatched(y.dtype(), Cublas.OP_N, Cublas.OP_T, ld, gemmDim("conv_transpose2d", kc), cing,
                            xp.ptr() + (long) g * cing * cols * es, ld, 0, Launch.ptr(w) + g * cing * kc * es, (int) kc, 0,
                            col.ptr() + g * kc * cols * es, ld, 0, 1);
                }
                dev.launch("conv_col2im_" + t, Launch.grid((long) m * cout * oh * ow), Launch.BLOCK, 0,
                        geom(m, cout, oh, ow, ih, iw, kh, kw, s, p, d), col.ptr(), biasPtr(bias),
                        Launch.ptr(y) + (long) n0 * cout * oh * ow * es);
            }
        }
    }

    static void weightGrad(CudaBackend b, Tensor gw, Tensor x, Tensor gy, int[] s, int[] p, int[] d, int groups) {
        if (gw.numel() == 0) return;
        int n = x.shape(0), c = x.shape(1), h = x.shape(2), wd = x.shape(3);
        int oc = gw.shape(0), cg = gw.shape(1), kh = gw.shape(2), kw = gw.shape(3), gh = gy.shape(2), gwd = gy.shape(3);
        long l = (long) gh * gwd, k2 = (long) kh * kw, kg = cg * k2;
        if (n == 0 || l == 0) {
            CreationKernels.fill(b, gw, 0);
            return;
        }
        int ocg = oc / groups, es = gw.dtype().byteSize();
        CudaDevice dev = Launch.device(b, gw);
        Optional<Cudnn> dnn = dev.cudnn();
        if (dnn.isPresent()) {
            dnn.get().convolution(Cudnn.Pass.BACKWARD_FILTER, gw.dtype(), Launch.ptr(x), x.shape(), Launch.ptr(gw), gw.shape(),
                    Launch.ptr(gy), gy.shape(), s, p, d, groups);
            return;
        }
        CreationKernels.fill(b, gw, 0);
        Cublas blas = dev.cublas();
        String t = Launch.name(gw.dtype());
        int nb = chunk(n, (c * k2 + oc) * l, es);
        try (Scratch col = Scratch.of(dev, c * k2 * nb * l * es); Scratch gp = Scratch.of(dev, (long) oc * nb * l * es)) {
            for (int n0 = 0; n0 < n; n0 += nb) {
                int m = Math.min(nb, n - n0);
                long cols = m * l;
                int ld = gemmDim("conv2d_weight_grad", cols);
                dev.launch("conv_im2col_" + t, Launch.grid(c * k2 * cols), Launch.BLOCK, 0,
                        geom(m, c, h, wd, gh, gwd, kh, kw, s, p, d), Launch.ptr(x) + (long) n0 * c * h * wd * es, col.ptr());
                dev.launch("conv_to_cnl_" + t, Launch.grid(oc * cols), Launch.BLOCK, 0, (long) m, (long) oc, l,
                        Launch.ptr(gy) + (long) n0 * oc * l * es, gp.ptr());
                for (int g = 0; g < groups; g++) {
                    blas.gemmStridedBatched(gw.dtype(), Cublas.OP_T, Cublas.OP_N, (int) kg, ocg, ld,
                            col.ptr() + g * kg * cols * es, ld, 0, gp.ptr() + (long) g * ocg * cols * es, ld, 0,
                            Launch.ptr(gw) + g * ocg * kg * es, (int) kg, 0, 1, true);
                }
            }
        }
    }

    /**
     * {@code y = x w^T + bias}: with cuBLASLt (f32) one GEMM whose epilogue adds the bias;
     * otherwise the bias rows written first, then one cuBLAS GEMM adding into them.
     */
    static void linear(CudaBackend b, Tensor y, Tensor x, Tensor w, Tensor bias) {
        linear(b, y, x, w, bias, CublasLt.Epilogue.BIAS);
    }

    /**
     * {@code y = act(x w^T + bias)} where {@code act} is the epilogue's activation. Returns true
     * when cuBLASLt applied the epilogue in the GEMM; false when it computed only
     * {@code x w^T + bias} (no cuBLASLt, no algorithm, or no bias) and the caller must still
     * apply the activation.
     */
    static boolean linear(CudaBackend b, Tensor y, Tensor x, Tensor w, Tensor bias, CublasLt.Epilogue epilogue) {
        if (y.numel() == 0) return true;
        int out = w.shape(0), in = w.shape(1);
        long rows = y.numel() / out;
        if (in == 0) {
            fillBiasOrZero(b, y, bias, rows, out, 1);
            return false;
        }
        CudaDevice dev = Launch.device(b, y);
        if (bias != null && y.dtype() != DType.F64 && rows <= Integer.MAX_VALUE) {
            Optional<CublasLt> lt = dev.cublasLt();
            if (lt.isPresent() && lt.get().matmul(y.dtype(), CublasLt.OP_T, CublasLt.OP_N, out, (int) rows, in, Launch.ptr(w), in,
                    Launch.ptr(x), in, Launch.ptr(y), out, Launch.ptr(bias), epilogue)) {
                return true;
            }
        }
        if (bias != null) {
            dev.launch("conv_bias_rows_" + Launch.name(y.dtype()), Launch.grid(y.numel()), Launch.BLOCK, 0, y.numel(), (long) out,
                    Launch.ptr(bias), Launch.ptr(y));
        }
        dev.cublas().gemmStridedBatched(y.dtype(), Cublas.OP_T, Cublas.OP_N, out, gemmDim("linear", rows), in,
                Launch.ptr(w), in, 0, Launch.ptr(x), in, 0, Launch.ptr(y), out, 0, 1, bias != null);
        return epilogue == CublasLt.Epilogue.BIAS || epilogue == CublasLt.Epilogue.NONE;
    }
}
