package dev.ember.cuda;

import dev.ember.core.DType;
import dev.ember.core.Tensor;
import dev.ember.core.backend.Backend;

import java.util.Arrays;

/**
 * One-kernel optimizer updates for parameters on a GPU (optim.cu), for optimizers to call
 * instead of composing the update from a half-dozen elementwise ops. Parameters, gradients and
 * state must be contiguous f32 tensors of the same size on the same CUDA device; the update is
 * in place, as torch.optim's fused/foreach paths.
 *
 * <pre>{@code
 * FusedOptimizers.adamStep(p, p.grad(), m, v, 1e-3, 0.9, 0.999, 1e-8, 0.01, true, step);
 * }</pre>
 */
public final class FusedOptimizers {

    private FusedOptimizers() {}

    /** SGD with momentum (buffer may be null when momentum is 0), dampening, Nesterov and weight decay. */
    public static void sgdStep(Tensor param, Tensor grad, Tensor momentumBuffer, double lr, double momentum, double dampening,
                               double weightDecay, boolean nesterov, boolean firstStep) {
        if (momentum != 0 && momentumBuffer == null) throw new IllegalArgumentException("sgdStep: momentum " + momentum + " needs a momentum buffer");
        CudaDevice d = check("sgdStep", param, grad, momentumBuffer);
        long n = param.numel();
        if (n == 0) return;
        d.launch("optim_sgd_f32", grid(n), 256, 0, n, ptr(param), ptr(grad), momentumBuffer == null ? 0L : ptr(momentumBuffer),
                (float) lr, (float) momentum, (float) dampening, (float) weightDecay, nesterov ? 1 : 0, firstStep ? 1 : 0);
        param.storage().bumpVersion();
    }

    /**
     * Adam ({@code decoupled = false}: weight decay added to the gradient) or AdamW
     * ({@code decoupled = true}); {@code step} counts from 1.
     */
    public static void adamStep(Tensor param, Tensor grad, Tensor m, Tensor v, double lr, double beta1, double beta2, double eps,
                                double weightDecay, boolean decoupled, long step) {
        if (step < 1) throw new IllegalArgumentException("adamStep: step counts from 1, got " + step);
        CudaDevice d = check("adamStep", param, grad, m, v);
        long n = param.numel();
        if (n == 0) return;
        float bc1 = (float) (1 - Math.pow(beta1, step)), bc2 = (float) (1 - Math.pow(beta2, step));
        d.launch("optim_adam_f32", grid(n), 256, 0, n, ptr(param), ptr(grad), ptr(m), ptr(v), (float) lr, (float) beta1,
                (float) beta2, (float) eps, (float) weightDecay, decoupled ? 1 : 0, bc1, bc2);
        param.storage().bumpVersion();
    }

    private static CudaDevice check(String op, Tensor param, Tensor... others) {
        Backend b = param.backend();
        if (!(b instanceof CudaBackend cuda)) {
            throw new IllegalArgumentException(op + ": parameter is on " + param.device() + "; fused steps run on CUDA tensors");
        }
        requireF32(op, "parameter", param, param);
        for (Tensor t : others) {
            if (t == null) continue;
            if (!t.device().equals(param.device())) {
                throw new IllegalArgumentException(op + ": parameter is on " + param.device() + " but a state tensor is on " + t.device());
            }
            requireF32(op, "state", t, param);
        }
        return cuda.device(param.device());
    }

    private static void requireF32(String op, String what, Tensor t, Tensor param) {
        if (t.dtype() != DType.F32 || !t.isContiguous() || t.numel() != param.numel()) {
            throw new IllegalArgumentException(op + ": " + what + " of shape " + Arrays.toString(t.shape()) + " (" + t.dtype()
                    + (t.isContiguous() ? "" : ", strided") + ") must be a contiguous f32 tensor with the parameter's "
                    + param.numel() + " elements (parameter shape " + Arrays.toString(param.shape()) + ")");
        }
    }

    private static long ptr(Tensor t) { return t.segment().address() + t.offset() * 4; }

    private static long grid(long n) { return Math.min(65535L * 8, (n + 255) / 256); }
}
