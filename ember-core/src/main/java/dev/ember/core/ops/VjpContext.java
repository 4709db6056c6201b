package dev.ember.core.ops;

import dev.ember.core.Tensor;

/** What an op's vector-Jacobian product sees: its inputs, outputs, attributes and output grads. */
public final class VjpContext<A> {
    private final Tensor[] inputs;
    private final Tensor[] outputs;
    private final Tensor[] gradOutputs;
    private final boolean[] needsInputGrad;
    private final A attrs;

    public VjpContext(Tensor[] inputs, Tensor[] outputs, Tensor[] gradOutputs, boolean[] needsInputGrad, A attrs) {
        this.inputs = inputs;
        this.outputs = outputs;
        this.gradOutputs = gradOutputs;
        this.needsInputGrad = needsInputGrad;
        this.attrs = attrs;
    }

    public Tensor input(int i) { return inputs[i]; }
    public int inputCount() { return inputs.length; }
    public Tensor output(int i) { return outputs[i]; }
    public int outputCount() { return outputs.length; }
    public A attrs() { return attrs; }
    public boolean needsInputGrad(int i) { return needsInputGrad[i]; }
    public boolean[] needsInputGrad() { return needsInputGrad.clone(); }

    /** The gradient flowing into output {@code i}; zeros when nothing flowed there. */
    public Tensor grad(int i) {
        Tensor g = gradOutputs[i];
        return g != null ? g : Tensor.zeros(outputs[i].dtype(), outputs[i].device(), outputs[i].shape());
    }

    /** Whether any gradient flowed into output {@code i}. */
    public boolean hasGrad(int i) { return gradOutputs[i] != null; }
}
