package dev.ember.core.dispatch;

import dev.ember.core.Tensor;
import dev.ember.core.autograd.Autograd;
import dev.ember.core.autograd.GradMode;

/** Records a graph node when grad mode is on and an input requires grad. */
final class AutogradLayer implements DispatchLayer {
    @Override
    public Tensor[] call(OpCall call, Next next) {
        if (!Autograd.shouldRecord(call.op(), call.inputs())) return next.call(call);
        Tensor[] out;
        try (var off = GradMode.disable()) {
            out = next.call(call);
        }
        Autograd.record(call.op(), call.attrs(), call.inputs(), out);
        return out;
    }
}
