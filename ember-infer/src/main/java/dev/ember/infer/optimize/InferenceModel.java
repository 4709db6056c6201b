package dev.ember.infer.optimize;

import dev.ember.core.DType;
import dev.ember.core.Tensor;
import dev.ember.core.dispatch.Dispatcher;
import dev.ember.core.memory.MemoryScope;
import dev.ember.core.ops.Op;
import dev.ember.core.ops.TensorOps;
import dev.ember.core.ops.ViewOps;

import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A model's forward as an optimized, replayable list of op calls, made by
 * {@link InferenceOptimizer#optimize}. {@link #forward} runs the calls on a new input, without
 * gradients; dimension 0 (the batch) may differ from the traced one, every other dimension must
 * match it.
 *
 * <pre>{@code
 * InferenceModel m = InferenceOptimizer.optimize(net, Tensor.randn(gen, 2, 3, 224, 224));
 * try (var scope = MemoryScope.open("infer")) {
 *     Tensor logits = m.forward(images);   // any batch size
 * }
 * }</pre>
 *
 * <p>It holds its own copies of the weights it reads (the folded ones computed once), so it is a
 * snapshot: later changes to the original model's parameters do not reach it.
 */
public final class InferenceModel {

    private final String name;
    private final List<Node> nodes;
    private final Ref[] outputs;
    private final Tensor[] constants;
    /** For each node, the index of the last node that reads one of its outputs (its outputs are dropped after it). */
    private final int[] lastUse;
    private final int[] inputShape;
    private final DType inputDType;

    InferenceModel(String name, Graph g) {
        this.name = name;
        this.inputShape = g.inputShape;
        this.inputDType = g.inputDType;
        // compact: drop removed nodes and renumber the references
        int[] index = new int[g.nodes.size()];
        List<Node> live = new java.util.ArrayList<>();
        for (int i = 0; i < g.nodes.size(); i++) {
            Node n = g.nodes.get(i);
            index[i] = n.removed ? -1 : live.size();
            if (!n.removed) live.add(n);
        }
        Map<Integer, Integer> constIndex = new HashMap<>();
        List<Tensor> consts = new java.util.ArrayList<>();
        this.nodes = new java.util.ArrayList<>();
        for (Node n : live) {
            Ref[] in = new Ref[n.inputs.length];
            for (int k = 0; k < in.length; k++) in[k] = remap(n.inputs[k], index, g, constIndex, consts);
            nodes.add(new Node(n.op, n.attrs, in, n.shapes, n.dtypes, n.batch));
        }
        this.outputs = new Ref[g.outputs.length];
        for (int k = 0; k < outputs.length; k++) outputs[k] = remap(g.outputs[k], index, g, constIndex, consts);
        this.constants = consts.toArray(Tensor[]::new);
        this.lastUse = new int[nodes.size()];
        Arrays.fill(lastUse, -1);
        for (int i = 0; i < nodes.size(); i++) {
            for (Ref r : nodes.get(i).inputs) if (r.isNode()) lastUse[r.node()] = i;
        }
        // outputs are never dropped
        for (Ref r : outputs) if (r.isNode()) lastUse[r.node()] = Integer.MAX_VALUE;
    }

    /**
     * A reference into the compacted graph. Constants are copied (detached, contiguous, exempt from
     * memory scopes) on first use, so the model's own tensors are neither shared nor kept alive.
     */
    private static Ref remap(Ref r, int[] index, Graph g, Map<Integer, Integer> constIndex, List<Tensor> consts) {
        if (r.isInput()) return r;
        if (r.isNode()) {
            if (index[r.node()] < 0) throw new IllegalStateException("InferenceOptimizer: a pass removed op '" + g.node(r).name() + "' that is still read");
            return Ref.of(index[r.node()], r.output());
        }
        Integer k = constIndex.get(r.constant());
        if (k == null) {
            Tensor copy;
            try (var _ = Tensor.noGrad()) {
                copy = TensorOps.copy(g.constant(r).detach());
            }
            consts.add(MemoryScope.keepAlive(copy));
            k = consts.size() - 1;
            constIndex.put(r.constant(), k);
        }
        return Ref.constant(k);
    }

    /**
     * Runs the optimized forward on {@code x} (same dtype and, but for dimension 0, the same shape
     * as the example it was traced with), without gradients.
     */
    public Tensor forward(Tensor x) {
        int[] xs = x.shape();
        boolean fits = xs.length == inputShape.length && xs.length > 0;
        for (int d = 1; fits && d < xs.length; d++) fits = xs[d] == inputShape[d];
        if (!fits || x.dtype() != inputDType) {
            int[] want = inputShape.clone();
            want[0] = -1;
            throw new IllegalArgumentException("InferenceModel(" + name + "): input of shape " + Arrays.toString(xs) + " (" + x.dtype()
                    + ") does not fit the traced input " + Arrays.toString(inputShape) + " (" + inputDType + "); only dimension 0 (the batch)"
                    + " may change, so expected " + Arrays.toString(want).replace("-1", "N") + " of " + inputDType
                    + "; optimize the model again for other shapes");
        }
        int batch = xs[0];
        boolean sameBatch = batch == inputShape[0];
        Tensor[][] values = new Tensor[nodes.size()][];
        try (var _ = Tensor.noGrad()) {
            for (int i = 0; i < nodes.size(); i++) {
                Node n = nodes.get(i);
                Tensor[] in = new Tensor[n.inputs.length];
                for (int k = 0; k < in.length; k++) in[k] = value(n.inputs[k], x, values);
                Tensor[] out = call(n.op, sameBatch ? n.attrs : attrsForBatch(n, batch), in);
                if (!sameBatch) checkShapes(n, out, batch);
                values[i] = out;
                for (Ref r : n.inputs) if (r.isNode() && lastUse[r.node()] == i) values[r.node()] = null;
            }
            return value(outputs[0], x, values);
        }
    }

    private Tensor value(Ref r, Tensor x, Tensor[][] values) {
        if (r.isInput()) return x;
        if (r.isConstant()) return constants[r.constant()];
        return values[r.node()][r.output()];
    }

    /** A reshape or expand to the traced shape keeps the batch: its target's dimension 0 follows the input. */
    private static Object attrsForBatch(Node n, int batch) {
        if ((n.op == ViewOps.VIEW || n.op == ViewOps.EXPAND) && n.batch[0]) {
            int[] shape = ((int[]) n.attrs).clone();
            shape[0] = batch;
            return shape;
        }
        return n.attrs;
    }

    private void checkShapes(Node n, Tensor[] out, int batch) {
        for (int j = 0; j < out.length; j++) {
            int[] want = n.shapes[j].clone();
            if (n.batch[j]) want[0] = batch;
            if (!Arrays.equals(want, out[j].shape())) {
                throw new IllegalStateException("InferenceModel(" + name + "): at batch " + batch + " op '" + n.name() + "' gave shape "
                        + Arrays.toString(out[j].shape()) + " where the trace (batch " + inputShape[0] + ") gave " + Arrays.toString(n.shapes[j])
                        + "; the forward uses the batch size in a way the trace froze (a tensor created from x.shape(0), say), "
                        + "so optimize it again with an example of this batch size");
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static Tensor[] call(Op<?> op, Object attrs, Tensor[] in) {
        return Dispatcher.call((Op<Object>) op, attrs, in);
    }

    /** How many calls of each op one forward makes, in order of first call (e.g. {@code conv2d_fused=16}). */
    public Map<String, Integer> opCounts() {
        Map<String, Integer> m = new LinkedHashMap<>();
        for (Node n : nodes) m.merge(n.name(), 1, Integer::sum);
        return Collections.unmodifiableMap(m);
    }

    /** The traced input shape (dimension 0 is the batch the trace ran with). */
    public int[] inputShape() { return inputShape.clone(); }

    @Override
    public String toString() {
        return "InferenceModel(" + name + ", input " + Arrays.toString(inputShape) + " " + inputDType + ", " + nodes.size() + " op calls: "
                + opCounts() + ")";
    }
}
