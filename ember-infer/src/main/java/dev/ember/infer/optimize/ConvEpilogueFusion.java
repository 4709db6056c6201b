package dev.ember.infer.optimize;

import dev.ember.core.ops.ConvOps;
import dev.ember.core.ops.ElementwiseOps;
import dev.ember.core.ops.FusedConvOps;
import dev.ember.core.ops.FusedConvOps.Activation;
import dev.ember.core.ops.FusedConvOps.Conv2dFusedAttrs;
import dev.ember.core.ops.ConvOps.Conv2dAttrs;

import java.util.Arrays;

/**
 * Turns {@code conv2d -> add(residual) -> relu}, {@code conv2d -> add} and {@code conv2d -> relu}
 * into one {@code conv2d_fused} call, so the bias, the residual add and the ReLU are one pass over
 * the output. Each intermediate value must be read by the next op only, and the residual must
 * have exactly the convolution's output shape and dtype (a broadcast add stays as it was). The
 * fused call takes the place of the chain's last op: all its inputs exist by then.
 */
final class ConvEpilogueFusion {

    private ConvEpilogueFusion() {}

    /** Rewrites every such chain of {@code g}; returns how many it fused. */
    static int run(Graph g) {
        int fused = 0;
        for (int i = 0; i < g.nodes.size(); i++) {
            Node conv = g.nodes.get(i);
            if (conv.removed || conv.op != ConvOps.CONV2D) continue;
            Ref y = Ref.of(i, 0);
            Ref residual = null;
            Activation act = Activation.NONE;
            int last = -1, add = -1;
            int next = g.soleConsumer(y);
            if (next >= 0 && g.nodes.get(next).op == ElementwiseOps.ADD) {
                Node a = g.nodes.get(next);
                Ref other = a.inputs[0].equals(y) ? a.inputs[1] : a.inputs[0];
                if (!other.equals(y) && Arrays.equals(g.shape(other), conv.shapes[0]) && g.dtype(other) == conv.dtypes[0]) {
                    residual = other;
                    add = next;
                    last = next;
                    next = g.soleConsumer(Ref.of(next, 0));
                }
            }
            if (next >= 0 && g.nodes.get(next).op == ElementwiseOps.RELU) {
                act = Activation.RELU;
                last = next;
            }
            if (last < 0) continue;

            Ref[] in = conv.inputs.length > 2
                    ? (residual == null ? new Ref[] {conv.inputs[0], conv.inputs[1], conv.inputs[2]}
                                        : new Ref[] {conv.inputs[0], conv.inputs[1], conv.inputs[2], residual})
                    : (residual == null ? new Ref[] {conv.inputs[0], conv.inputs[1]}
                                        : new Ref[] {conv.inputs[0], conv.inputs[1], residual});
            Conv2dFusedAttrs attrs = new Conv2dFusedAttrs((Conv2dAttrs) conv.attrs, conv.inputs.length > 2, residual != null, act);
            g.nodes.set(last, g.nodes.get(last).replacedBy(FusedConvOps.CONV2D_FUSED, attrs, in));
            conv.removed = true;
            if (add >= 0 && add != last) g.nodes.get(add).removed = true;
            fused++;
        }
        return fused;
    }
}
