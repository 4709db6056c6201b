package dev.ember.core.dispatch;

import dev.ember.core.Device;
import dev.ember.core.Tensor;
import dev.ember.core.ops.CompositeOp;

/** Runs a composite op's decomposition where the device's backend has no fused kernel for it. */
final class DecompositionLayer implements DispatchLayer {
    @Override
    public Tensor[] call(OpCall call, Next next) {
        if (call.op() instanceof CompositeOp<Object> c) {
            Device d = call.device();
            if (d.backend().kernels().find(c, c.kernelDType(call.inputs(), null)) == null) {
                return c.decompose(call.inputs(), call.attrs());
            }
        }
        return next.call(call);
    }
}
