package dev.ember.core.dispatch;

import dev.ember.core.Tensor;

/**
 * One layer around every op call (autocast, tracing, decomposition, autograd, kernel). A layer
 * knows nothing of individual ops: it works from the op's declaration and the call.
 */
public interface DispatchLayer {
    Tensor[] call(OpCall call, Next next);

    /** The rest of the chain below this layer. */
    interface Next {
        Tensor[] call(OpCall call);
    }
}
