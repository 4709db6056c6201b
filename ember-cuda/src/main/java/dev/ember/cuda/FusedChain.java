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

    /** The chain applied to every element of {@code x}, as a new contiguous tensor of x's dtype on x's GPU. */
    public Tensor apply(Tensor x) {
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
        CudaDevice dev = cuda.device(x.device());
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

    @Override
    public String toString() { return "FusedChain" + steps; }
}
