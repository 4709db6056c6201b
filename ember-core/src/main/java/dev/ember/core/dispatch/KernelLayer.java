package dev.ember.core.dispatch;

import dev.ember.core.DType;
import dev.ember.core.Device;
import dev.ember.core.Tensor;
import dev.ember.core.backend.Backend;
import dev.ember.core.backend.Kernel;
import dev.ember.core.ops.DeviceAttrs;
import dev.ember.core.ops.Op;
import dev.ember.core.ops.OutputSpec;
import dev.ember.core.ops.ViewOp;


/**
 * The bottom layer: validates through the op's output rule, allocates the outputs and runs the
 * device's kernel. Where a backend has an f32 kernel but none for f16/bf16, it computes in f32
 * and rounds the result, in this one place rather than in every kernel.
 */
final class KernelLayer implements DispatchLayer {

    @Override
    public Tensor[] call(OpCall call, Next next) {
        return run(call.op(), call.attrs(), call.inputs());
    }

    static Tensor[] run(Op<Object> op, Object attrs, Tensor[] in) {
        Device dev = deviceOf(op, attrs, in);
        if (op instanceof ViewOp<Object> v) return new Tensor[] {v.makeView(in[0], attrs)};
        OutputSpec[] specs = op.infer(in, attrs);
        Backend backend = dev.backend();
        DType kd = op.kernelDType(in, specs);
        Kernel<Object> k = backend.kernels().find(op, kd);
        if (k == null && kd.isHalf() && hasInput(in, kd) && backend.kernels().find(op, DType.F32) != null) {
            return computeInF32(op, attrs, in, specs, kd);
        }
        if (k == null && op instanceof dev.ember.core.ops.PortableOp<Object> p) return p.compute(in, attrs);
        if (k == null) {
            throw new UnsupportedOperationException("op '" + op.name() + "' has no kernel for dtype " + kd + " on the "
                    + backend.deviceType() + " backend (it has kernels for " + backend.kernels().dtypes(op) + ")"
                    + (kd.isFloating() ? "" : "; convert the input with .to(DType.F32) first"));
        }
        if (!op.acceptsStridedInputs()) {
            Tensor[] c = null;
            for (int i = 0; i < in.length; i++) {
                if (!in[i].isContiguous()) {
                    if (c == null) c = in.clone();
                    c[i] = Dispatcher.contiguousCopy(in[i]);
                }
            }
            if (c != null) in = c;
        }
        Profiler profiler = Profiler.active();
        long t0 = profiler == null ? 0 : System.nanoTime();
        Tensor[] out = new Tensor[specs.length];
        for (int i = 0; i < specs.length; i++) out[i] = Tensor.empty(specs[i].dtype(), dev, specs[i].shape());
        k.run(out, in, attrs);
        if (profiler != null) profiler.record(op, in, System.nanoTime() - t0);
        return out;
    }

    private static Tensor[] computeInF32(Op<Object> op, Object attrs, Tensor[] in, OutputSpec[] specs, DType half) {
        Tensor[] up = in.clone();
        for (int i = 0; i < in.length; i++) if (in[i].dtype() == half) up[i] = Dispatcher.castKernel(in[i], DType.F32);
        Tensor[] out = run(op, attrs, up);
        for (int i = 0; i < out.length; i++) {
            if (out[i].dtype() != specs[i].dtype()) out[i] = Dispatcher.castKernel(out[i], specs[i].dtype());
        }
        return out;
    }

    private static boolean hasInput(Tensor[] in, DType d) {
        for (Tensor t : in) if (t.dtype() == d) return true;
        return false;
    }

    /** The device all inputs share (or the attributes name), checking that every input is alive. */
    static Device deviceOf(Op<?> op, Object attrs, Tensor[] in) {
        if (in.length == 0) {
            if (attrs instanceof DeviceAttrs d) return d.device();
            throw new IllegalStateException("op '" + op.name() + "' has no inputs and its attributes name no device");
        }
        Device d = in[0].device();
        for (int i = 0; i < in.length; i++) {
            if (!in[i].device().equals(d)) {
                throw new IllegalArgumentException(op.name() + ": all inputs must be on the same device, but input 0 is on "
                        + d + " and input " + i + " is on " + in[i].device() + "; move them with tensor.to(device)");
            }
            if (in[i].storage().isReleased()) {
                in[i].storage().segment(); // throws the explanatory error
            }
        }
        return d;
    }
}
