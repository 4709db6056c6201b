package dev.ember.cuda.kernels;

import dev.ember.core.DType;
import dev.ember.core.Tensor;
import dev.ember.core.backend.Backends;
import dev.ember.core.ops.LinalgOps;
import dev.ember.core.ops.NoAttrs;
import dev.ember.cuda.CudaBackend;
import dev.ember.cuda.CublasLt;

import java.util.Arrays;

/**
 * {@code relu(x w^T + b)} as one cuBLASLt GEMM whose epilogue adds the bias and applies the
 * activation, for inference on a CUDA device (the result is not recorded by autograd). Without
 * cuBLASLt, or where it has no algorithm for the shapes, the same values come from the linear op
 * followed by relu.
 *
 * <pre>{@code
 * Tensor h = FusedLinear.linearRelu(x, fc.weight(), fc.bias());   // [batch, out]
 * }</pre>
 */
public final class FusedLinear {

    private FusedLinear() {}

    /**
     * {@code max(x w^T + bias, 0)} for {@code x [..., in]}, {@code w [out, in]}, {@code bias [out]},
     * all f32 on the same CUDA device.
     */
    public static Tensor linearRelu(Tensor x, Tensor w, Tensor bias) {
        if (!x.device().type().equals("cuda")) {
            throw new IllegalArgumentException("linear_relu: runs on a CUDA device, got an input of shape "
                    + Arrays.toString(x.shape()) + " on " + x.device() + "; use linear(...).relu() there");
        }
        if (x.requiresGrad() || w.requiresGrad() || bias.requiresGrad()) {
            throw new IllegalArgumentException("linear_relu: an input requires grad but the fused kernel is not recorded by "
                    + "autograd; use linear(...).relu() for training, or detach() for inference");
        }
        if (x.dtype() != DType.F32) {
            throw new IllegalArgumentException("linear_relu: expected f32, got " + x.dtype() + "; convert with .to(DType.F32)");
        }
        // the op validates the shapes and dtypes with its own messages
        Tensor probe = Tensor.empty(x.dtype(), x.device(), LinalgOps.LINEAR.infer(new Tensor[] {x, w, bias},
                NoAttrs.INSTANCE)[0].shape());
        CudaBackend b = (CudaBackend) Backends.ofType("cuda");
        Tensor xc = x.contiguous(), wc = w.contiguous(), bc = bias.contiguous();
        boolean fused = ConvKernels.linear(b, probe, xc, wc, bc, CublasLt.Epilogue.RELU_BIAS);
        return fused ? probe : probe.relu();
    }
}
