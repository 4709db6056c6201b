package dev.ember.cuda;

import dev.ember.core.DType;
import dev.ember.core.Tensor;
import dev.ember.core.backend.Backends;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

/**
 * A short program of elementwise steps run as one CUDA kernel (elementwise_chain in
 * elementwise.cu): one read and one write of the tensor instead of one pass per step. For
 * inference and optimizer arithmetic: the result is not recorded by autograd. f32, f16 and
 * bf16 tensors on a CUDA device; the steps compute in f32.
 *
 * <pre>{@code
 * FusedChain c = FusedChain.start().mul(0.5).add(1).tanh();   // immutable; reuse freely
 * Tensor y = c.apply(x);                                      // tanh(x * 0.5 + 1)
 * }</pre>
 */
public final class FusedChain {

    /** One step; the ordinal is the opcode of elementwise.cu's ChainOp (KernelBuildTest-style check in FusedChainTest). */
    public enum Step { ADD, MUL, MAX, MIN, EXP, LOG, TANH, SIGMOID, RELU, SQRT, RSUB, RDIV, POW, GELU_ERF, SILU, NEG }

    /** The most steps one kernel takes (the size of the Chain struct's arrays). */
    public static final int MAX_STEPS = 16;

    private final List<Step> steps;
    private final List<Float> args;

    private FusedChain(List<Step> steps, List<Float> args) {
        this.steps = steps;
        this.args = args;
    }

    /** The empty chain (the identity). */
    public static FusedChain start() { return new FusedChain(List.of(), List.of()); }

    /** This chain followed by {@code step} with scalar operand {@code arg} (ignored by steps without one). */
    public FusedChain then(Step step, double arg) {
        if (steps.size() == MAX_STEPS) {
            throw new IllegalArgumentException("fused chain: at most " + MAX_STEPS + " steps, this one already has " + steps);
        }
        List<Step> s = new ArrayList<>(steps);
        List<Float> a = new ArrayList<>(args);
        s.add(step);
        a.add((float) arg);
        return new FusedChain(List.copyOf(s), List.copyOf(a));
    }

    public FusedChain add(double v) { return then(Step.ADD, v); }
    public FusedChain mul(double v) { return then(Step.MUL, v); }
    public FusedChain max(double v) { return then(Step.MAX, v); }
    public FusedChain min(double v) { return then(Step.MIN, v); }
    public FusedChain pow(double v) { return then(Step.POW, v); }
    /** {@code v - x}. */
    public FusedChain rsub(double v) { return then(Step.RSUB, v); }
    /** {@code v / x}. */
    public FusedChain rdiv(double v) { return then(Step.RDIV, v); }
    public FusedChain exp() { return then(Step.EXP, 0); }
    public FusedChain log() { return then(Step.LOG, 0); }
    public FusedChain tanh() { return then(Step.TANH, 0); }
    public FusedChain sigmoid() { return then(Step.SIGMOID, 0); }
    public FusedChain relu() { return then(Step.RELU, 0); }
    public FusedChain sqrt() { return then(Step.SQRT, 0); }
    public FusedChain gelu() { return then(Step.GELU_ERF, 0); }
    public FusedChain silu() { return then(Step.SILU, 0); }
    public FusedChain neg() { return then(Step.NEG, 0); }

    public List<Step> steps() { return steps; }

    /**
     * This chain as its own CUDA C kernel {@code ember_chain(long long n, const T *x, T *y)}: the
     * steps inlined and the constants written exactly (as float bit patterns), so nothing is
     * interpreted per element. Self-contained (no headers), for NVRTC; f16 and bf16 convert with
     * PTX {@code cvt} as cuda_fp16.h does.
     */
    public String cudaSource(DType dtype) {
        String t = switch (dtype) {
            case F32 -> "float";
            case F16, BF16 -> "unsigned short";
            default -> throw new IllegalArgumentException("fused chain: expected f32, f16 or bf16, got " + dtype);
        };
        StringBuilder sb = new StringBuilder();
        sb.append("// ").append(this).append(" for ").append(dtype).append('\n');
        sb.append("__device__ __forceinline__ float sigmoid_f(float x) { return x >= 0 ? 1.f / (1.f + __expf(-x)) : __expf(x) / (1.f + __expf(x)); }\n");
        sb.append("__device__ __forceinline__ float load(const ").append(t).append(" *p, long long i) {\n");
        switch (dtype) {
            case F32 -> sb.append("    return p[i];\n");
            case F16 -> sb.append("    float r; asm(\"cvt.f32.f16 %0, %1;\" : \"=f\"(r) : \"h\"(p[i])); return r;\n");
            default -> sb.append("    return __uint_as_float(((unsigned)p[i]) << 16);\n");
        }
        sb.append("}\n__device__ __forceinline__ void store(").append(t).append(" *p, long long i, float v) {\n");
        switch (dtype) {
            case F32 -> sb.append("    p[i] = v;\n");
            case F16 -> sb.append("    unsigned short r; asm(\"cvt.rn.f16.f32 %0, %1;\" : \"=h\"(r) : \"f\"(v)); p[i] = r;\n");
            default -> sb.append("    unsigned short r; asm(\"cvt.rn.bf16.f32 %0, %1;\" : \"=h\"(r) : \"f\"(v)); p[i] = r;\n");
        }
        sb.append("}\nextern \"C\" __global__ void ember_chain(long long n, const ").append(t).append(" *x, ").append(t).append(" *y) {\n");
        sb.append("    for (long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += (long long)blockDim.x * gridDim.x) {\n");
        sb.append("        float v = load(x, i);\n");
        for (int i = 0; i < steps.size(); i++) {
            String a = "__int_as_float(0x" + Integer.toHexString(Float.floatToRawIntBits(args.get(i))) + ")";
            sb.append("        ").append(switch (steps.get(i)) {
                case ADD -> "v += " + a + ";";
                case MUL -> "v *= " + a + ";";
                case MAX -> "v = fmaxf(v, " + a + ");";
                case MIN -> "v = fminf(v, " + a + ");";
                case EXP -> "v = expf(v);";
                case LOG -> "v = logf(v);";
                case TANH -> "v = tanhf(v);";
                case SIGMOID -> "v = sigmoid_f(v);";
                case RELU -> "v = v > 0.f ? v : 0.f;";
                case SQRT -> "v = sqrtf(v);";
                case RSUB -> "v = " + a + " - v;";
                case RDIV -> "v = " + a + " / v;";
                case POW -> "v = powf(v, " + a + ");";
                case GELU_ERF -> "v = 0.5f * v * (1.f + erff(v * 0.70710678118654752f));";
                case SILU -> "v = v * sigmoid_f(v);";
                case NEG -> "v = -v;";
            }).append('\n');
        }
        sb.append("        store(y, i, v);\n    }\n}\n");
        return sb.toString();
    }

    /**
     * As {@link #apply(Tensor)}, through a kernel compiled for this chain at run time with NVRTC
     * ({@link #cudaSource(DType)}), once per chain, dtype and device: for long chains applied to
     * many tensors, or for GPUs newer than the shipped fatbins. Throws naming the files searched
     * when NVRTC is not installed.
     */
    public Tensor applyCompiled(Tensor x) {
        CudaDevice dev = check(x);
        Tensor in = x.contiguous();
        Tensor y = Tensor.empty(x.dtype(), x.device(), x.shape());
        long n = y.numel();
        if (n == 0) return y;
        RuntimeKernels.Module m = dev.runtimeKernels().compile("ember_chain_" + x.dtype().shortName() + ".cu", cudaSource(x.dtype()));
        long es = x.dtype().byteSize();
        dev.launchFunction(m.function("ember_chain"), "ember_chain (" + this + ")", (int) Math.min(65535L * 8, (n + 255) / 256), 1, 1,
                256, 1, 1, 0, n, in.segment().address() + in.offset() * es, y.segment().address() + y.offset() * es);
        return y;
    }

    /** The chain applied to every element of {@code x}, as a new contiguous tensor of x's dtype on x's GPU. */
    public Tensor apply(Tensor x) {
        CudaDevice dev = check(x);
        Tensor in = x.contiguous();
        Tensor y = Tensor.empty(x.dtype(), x.device(), x.shape());
        long n = y.numel();
        if (n == 0) return y;
        MemorySegment chain = Arena.ofAuto().allocate(4 + 4 * MAX_STEPS * 2, 4);
        chain.set(ValueLayout.JAVA_INT, 0, steps.size());
        for (int i = 0; i < steps.size(); i++) {
            chain.set(ValueLayout.JAVA_INT, 4 + 4L * i, steps.get(i).ordinal());
            chain.set(ValueLayout.JAVA_FLOAT, 4 + 4L * MAX_STEPS + 4L * i, args.get(i));
        }
        String type = x.dtype() == DType.F32 ? "f32" : x.dtype() == DType.F16 ? "f16" : "bf16";
        long es = x.dtype().byteSize();
        dev.launch("elementwise_chain_" + type, Math.min(65535L * 8, (n + 255) / 256), 256, 0, n,
                in.segment().address() + in.offset() * es, y.segment().address() + y.offset() * es, chain);
        return y;
    }

    private static CudaDevice check(Tensor x) {
        if (!x.device().type().equals("cuda")) {
            throw new IllegalArgumentException("fused chain: runs on a CUDA device, got a tensor of shape "
                    + java.util.Arrays.toString(x.shape()) + " on " + x.device() + "; use the Tensor ops there");
        }
        if (x.dtype() != DType.F32 && x.dtype() != DType.F16 && x.dtype() != DType.BF16) {
            throw new IllegalArgumentException("fused chain: expected f32, f16 or bf16, got " + x.dtype() + "; convert with .to(DType.F32)");
        }
        if (x.requiresGrad()) {
            throw new IllegalArgumentException("fused chain: the input requires grad but the chain is not recorded by autograd; "
                    + "use the Tensor ops, or detach() for inference");
        }
        CudaBackend cuda = (CudaBackend) Backends.ofType("cuda");
        return cuda.device(x.device());
    }

    @Override
    public String toString() { return "FusedChain" + steps; }
}
