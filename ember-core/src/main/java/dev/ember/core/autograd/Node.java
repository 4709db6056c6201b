package dev.ember.core.autograd;

import dev.ember.core.Tensor;
import dev.ember.core.ops.Op;
import dev.ember.core.ops.VjpContext;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * One recorded op call in the autograd graph: the op, its attributes, the tensors it saved for
 * the backward pass with their versions (to catch in-place changes), and hooks on its outputs.
 */
public final class Node {

    private final Op<Object> op;
    private final Object attrs;
    private Tensor[] inputs;
    private Tensor[] outputs;
    private final int[] inputVersions;
    private final int[] outputVersions;
    private final boolean[] needsInputGrad;
    private final List<List<UnaryOperator<Tensor>>> outputHooks;
    private final long sequence;
    private static final java.util.concurrent.atomic.AtomicLong NEXT_SEQUENCE = new java.util.concurrent.atomic.AtomicLong();

    @SuppressWarnings("unchecked")
    Node(Op<?> op, Object attrs, Tensor[] inputs, Tensor[] outputs, boolean[] needsInputGrad) {
        this.op = (Op<Object>) op;
        this.attrs = attrs;
        this.inputs = inputs.clone();
        this.outputs = outputs.clone();
        this.needsInputGrad = needsInputGrad;
        this.inputVersions = new int[inputs.length];
        for (int i = 0; i < inputs.length; i++) inputVersions[i] = inputs[i].version();
        this.outputVersions = new int[outputs.length];
        for (int i = 0; i < outputs.length; i++) outputVersions[i] = outputs[i].version();
        this.outputHooks = new ArrayList<>(outputs.length);
        for (int i = 0; i < outputs.length; i++) outputHooks.add(null);
        this.sequence = NEXT_SEQUENCE.getAndIncrement();
    }

    public Op<?> op() { return op; }

    /** Creation order; later nodes run first among ready nodes. */
    long sequence() { return sequence; }

    Tensor[] inputs() {
        if (inputs == null) throw freed();
        return inputs;
    }

    int outputCount() { return outputVersions.length; }

    boolean needsInputGrad(int i) { return needsInputGrad[i]; }

    void addOutputHook(int index, UnaryOperator<Tensor> hook) {
        if (outputHooks.get(index) == null) outputHooks.set(index, new ArrayList<>());
        outputHooks.get(index).add(hook);
    }

    Tensor applyOutputHooks(int index, Tensor grad) {
        List<UnaryOperator<Tensor>> hooks = outputHooks.get(index);
        if (hooks == null || grad == null) return grad;
        for (UnaryOperator<Tensor> h : hooks) {
            Tensor r = h.apply(grad);
            if (r != null) grad = r;
        }
        return grad;
    }

    Tensor[] runVjp(Tensor[] gradOutputs) {
        if (inputs == null) throw freed();
        for (int i = 0; i < inputs.length; i++) checkVersion(inputs[i], inputVersions[i], "input " + i);
        for (int i = 0; i < outputs.length; i++) checkVersion(outputs[i], outputVersions[i], "output " + i);
        return op.vjp(new VjpContext<>(inputs, outputs, gradOutputs, needsInputGrad, attrs));
    }

    private void checkVersion(Tensor t, int expected, String what) {
        if (t.version() != expected) {
            throw new IllegalStateException("one of the tensors needed to compute the gradient of '" + op.name()
                    + "' (its " + what + ", shape " + java.util.Arrays.toString(t.shape()) + ") was modified by an in-place op"
                    + " after it was used: it is at version " + t.version() + ", expected version " + expected
                    + ". Use the out-of-place form of the op (or clone() the tensor before changing it).");
        }
    }

    /** Drops the saved tensors once a backward pass that does not retain the graph has used them. */
    void release() {
        inputs = null;
        outputs = null;
    }

    private IllegalStateException freed() {
        return new IllegalStateException("trying to run backward through the graph of '" + op.name()
                + "' a second time, but its saved tensors were freed by the first backward; "
                + "pass retainGraph = true to the first backward(...) call if you need to run it again");
    }

    @Override
    public String toString() { return op.name() + "Backward"; }
}
