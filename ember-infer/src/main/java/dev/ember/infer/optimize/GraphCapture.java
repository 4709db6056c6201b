package dev.ember.infer.optimize;

import dev.ember.core.DType;
import dev.ember.core.Tensor;
import dev.ember.core.dispatch.Dispatcher;
import dev.ember.core.memory.Storage;
import dev.ember.core.ops.Op;
import dev.ember.nn.Module;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs a model's forward once, in evaluation mode and without gradients, and records each
 * outermost op call into a {@link Graph} (the approach of the ONNX exporter). Tensors the
 * forward reads that no call made become constants; calls whose inputs are all constants are
 * folded (their traced outputs become constants). Reading a value that was changed in place
 * after it was made, or a tensor sharing a computed value's memory that no op call made
 * ({@code detach()}), is an error: the trace could not replay either.
 */
final class GraphCapture {

    private final Graph graph;
    private final Map<Tensor, Ref> refs = new IdentityHashMap<>();
    private final Map<Tensor, Integer> versions = new IdentityHashMap<>();
    private final Map<Storage, Boolean> computed = new IdentityHashMap<>();

    private GraphCapture(Tensor input) {
        graph = new Graph(input.shape(), input.dtype());
        refs.put(input, Ref.input());
        versions.put(input, input.storage().version());
        computed.put(input.storage(), true);
    }

    static Graph capture(Module model, Tensor input) {
        if (input.dim() == 0) throw new IllegalArgumentException("InferenceOptimizer: the example input must have a batch dimension, got a scalar");
        GraphCapture c = new GraphCapture(input);
        List<Module> modules = new ArrayList<>();
        List<Boolean> modes = new ArrayList<>();
        model.apply(m -> {
            modules.add(m);
            modes.add(m.isTraining());
        });
        Tensor out;
        model.eval();
        try (var _ = Tensor.noGrad(); var _ = Dispatcher.trace(c::record)) {
            out = model.forward(input);
        } finally {
            // apply() lists children before parents; train(flag) sets a whole subtree, so parents go first
            for (int i = modules.size() - 1; i >= 0; i--) modules.get(i).train(modes.get(i));
        }
        if (out == null) throw new IllegalArgumentException("InferenceOptimizer: " + model.getClass().getSimpleName() + ".forward returned null");
        c.graph.outputs = new Ref[] {c.resolve(out, "the model's output")};
        return c.graph;
    }

    private void record(Op<?> op, Object attrs, Tensor[] in, Tensor[] out) {
        Ref[] r = new Ref[in.length];
        boolean allConstant = true;
        for (int i = 0; i < in.length; i++) {
            r[i] = resolve(in[i], "op '" + op.name() + "' (inputs " + shapes(in) + ")");
            allConstant &= r[i].isConstant();
        }
        // computed from constants alone: its traced value is the constant (a random draw is not)
        if (allConstant && !op.name().equals("random")) {
            for (Tensor t : out) refs.put(t, graph.addConstant(t));
            return;
        }
        int[][] shapes = new int[out.length][];
        DType[] dtypes = new DType[out.length];
        boolean[] batch = new boolean[out.length];
        for (int j = 0; j < out.length; j++) {
            shapes[j] = out[j].shape();
            dtypes[j] = out[j].dtype();
            for (int i = 0; i < in.length; i++) {
                if (graph.isBatch(r[i]) && in[i].dim() > 0 && out[j].dim() > 0 && in[i].shape(0) == out[j].shape(0)) batch[j] = true;
            }
        }
        Ref first = graph.addNode(new Node(op, attrs, r, shapes, dtypes, batch));
        for (int j = 0; j < out.length; j++) {
            // an op may hand back an input object (eval batch_norm's statistics are its running
            // ones): that tensor keeps the reference it already has
            if (refs.containsKey(out[j])) continue;
            refs.put(out[j], Ref.of(first.node(), j));
            versions.put(out[j], out[j].storage().version());
            computed.put(out[j].storage(), true);
        }
    }

    private Ref resolve(Tensor t, String reader) {
        Ref r = refs.get(t);
        if (r != null) {
            Integer v = versions.get(t);
            if (v != null && v != t.storage().version()) {
                throw new IllegalStateException("InferenceOptimizer: " + reader + " reads a value of shape " + Arrays.toString(t.shape())
                        + " that was changed in place after it was computed; in-place updates are not traced, so the graph cannot "
                        + "replay them (use the out-of-place op in the forward)");
            }
            return r;
        }
        if (computed.containsKey(t.storage())) {
            throw new IllegalStateException("InferenceOptimizer: " + reader + " reads a tensor of shape " + Arrays.toString(t.shape())
                    + " that shares memory with a computed value but was not made by an op call (detach(), or a tensor wrapped "
                    + "around another's memory); the graph cannot replay it");
        }
        Ref c = graph.addConstant(t);
        refs.put(t, c);
        return c;
    }

    private static String shapes(Tensor[] ts) {
        List<String> s = new ArrayList<>();
        for (Tensor t : ts) s.add(Arrays.toString(t.shape()));
        return String.join(", ", s);
    }
}
