package dev.ember.core.dispatch;

import dev.ember.core.DType;
import dev.ember.core.Tensor;

/** Casts floating inputs per the {@link Autocast} policy table while autocast is on. */
final class AutocastLayer implements DispatchLayer {
    @Override
    public Tensor[] call(OpCall call, Next next) {
        DType low = Autocast.active();
        if (low == null) return next.call(call);
        Autocast.Policy p = Autocast.policy(call.op().name());
        if (p == null) return next.call(call);
        DType target = p == Autocast.Policy.LOWER ? low : DType.F32;
        Tensor[] in = call.inputs();
        Tensor[] cast = null;
        for (int i = 0; i < in.length; i++) {
            if (in[i].dtype().isFloating() && in[i].dtype() != target && in[i].dtype() != DType.F64) {
                if (cast == null) cast = in.clone();
                try (var off = Autocast.disable()) { cast[i] = in[i].to(target); }
            }
        }
        if (cast != null) call.setInputs(cast);
        try (var off = Autocast.disable()) { // the op's own internals are not cast again
            return next.call(call);
        }
    }
}
