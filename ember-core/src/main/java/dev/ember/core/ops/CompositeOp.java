package dev.ember.core.ops;

import dev.ember.core.Tensor;
import dev.ember.core.autograd.Autograd;
import dev.ember.core.autograd.GradMode;

/**
 * An op defined by a decomposition into other ops (gelu, layer_norm, cross_entropy, ...).
 * A backend may register a fused kernel for it; where it has none, the dispatcher runs the
 * decomposition, and autograd differentiates the primitives. When a fused kernel runs, the
 * default derivative recomputes the decomposition and differentiates that, so a fused kernel
 * never needs a hand-written backward to be correct (it may still get a faster one).
 */
public abstract class CompositeOp<A> extends Op<A> {

    protected CompositeOp(String name) { super(name); }

    /** The op written with other ops. Must validate its inputs like {@link #infer}. */
    public abstract Tensor[] decompose(Tensor[] inputs, A attrs);

    @Override
    public Tensor[] vjp(VjpContext<A> ctx) {
        Tensor[] in = new Tensor[ctx.inputCount()];
        for (int i = 0; i < in.length; i++) {
            Tensor x = ctx.input(i);
            in[i] = ctx.needsInputGrad(i) ? x.detach().requiresGrad(true) : x.detach();
        }
        Tensor[] out;
        try (var g = GradMode.enable()) {
            out = decompose(in, ctx.attrs());
        }
        // outputs that do not depend on an input needing grad (running statistics, say) are no roots
        java.util.List<Tensor> roots = new java.util.ArrayList<>(), grads = new java.util.ArrayList<>();
        for (int i = 0; i < out.length; i++) {
            if (out[i].dtype().isFloating() && out[i].requiresGrad()) {
                roots.add(out[i]);
                grads.add(ctx.grad(i));
            }
        }
        if (roots.isEmpty()) return new Tensor[in.length];
        return Autograd.grad(roots.toArray(Tensor[]::new), grads.toArray(Tensor[]::new), in, ctx.needsInputGrad(), GradMode.isEnabled());
    }
}
