package dev.ember.core.dispatch;

import dev.ember.core.Device;
import dev.ember.core.Tensor;
import dev.ember.core.ops.Op;

import java.util.Arrays;

/** One call of an op as it passes through the dispatch layers; a layer may replace the inputs. */
public final class OpCall {
    private final Op<Object> op;
    private final Object attrs;
    private Tensor[] inputs;

    @SuppressWarnings("unchecked")
    OpCall(Op<?> op, Object attrs, Tensor[] inputs) {
        this.op = (Op<Object>) op;
        this.attrs = attrs;
        this.inputs = inputs;
    }

    public Op<Object> op() { return op; }
    public Object attrs() { return attrs; }
    public Tensor[] inputs() { return inputs; }
    public void setInputs(Tensor[] inputs) { this.inputs = inputs; }

    /** The device all inputs share; an error naming the op and the devices if they differ. */
    public Device device() { return KernelLayer.deviceOf(op, attrs, inputs); }

    @Override
    public String toString() {
        return op.name() + Arrays.stream(inputs).map(t -> Arrays.toString(t.shape()) + t.dtype()).toList();
    }
}
