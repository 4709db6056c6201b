package dev.ember.core.autograd;

import dev.ember.core.Tensor;
import dev.ember.core.ops.Op;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * The dynamic tape: records op calls as {@link Node}s and runs the backward pass over them.
 * Derivatives come from each op's one declaration ({@link Op#vjp}); nothing here knows any op.
 */
public final class Autograd {

    private Autograd() {}

    /** Records an op call whose inputs need gradients; marks floating outputs as requiring grad. */
    public static void record(Op<?> op, Object attrs, Tensor[] inputs, Tensor[] outputs) {
        boolean[] needs = new boolean[inputs.length];
        for (int i = 0; i < inputs.length; i++) needs[i] = inputs[i].requiresGrad();
        Node node = new Node(op, attrs, inputs, outputs, needs);
        for (int i = 0; i < outputs.length; i++) {
            if (outputs[i].dtype().isFloating()) outputs[i].setGradFn(node, i);
        }
    }

    /** Whether an op call with these inputs is to be recorded. */
    public static boolean shouldRecord(Op<?> op, Tensor[] inputs) {
        if (!GradMode.isEnabled() || !op.differentiable()) return false;
        for (Tensor t : inputs) if (t.requiresGrad()) return true;
        return false;
    }

    /** Adds a hook on the gradient of a non-leaf tensor (called by {@link Tensor#registerHook}). */
    public static void addHook(Tensor t, java.util.function.UnaryOperator<Tensor> hook) {
        t.gradFn().addOutputHook(t.outputIndex(), hook);
    }

    /**
     * Backpropagates from {@code roots} into the {@code grad} of every leaf that requires grad.
     *
     * @param grads       the gradient of each root (null for a scalar root means 1)
     * @param retainGraph keep the saved tensors so backward can run through the graph again
     * @param createGraph record the backward pass itself, for higher-order derivatives
     */
    public static void backward(Tensor[] roots, Tensor[] grads, boolean retainGraph, boolean createGraph) {
        run(roots, grads, retainGraph, createGraph, null);
    }

    /**
     * The gradients of {@code outputs} with respect to {@code inputs}, without touching any
     * tensor's {@code grad}. Entries are null where an input is not reached or not wanted.
     */
    public static Tensor[] grad(Tensor[] outputs, Tensor[] gradOutputs, Tensor[] inputs, boolean[] wanted, boolean createGraph) {
        IdentityHashMap<Tensor, Integer> targets = new IdentityHashMap<>();
        for (int i = 0; i < inputs.length; i++) if (wanted == null || wanted[i]) targets.put(inputs[i], i);
        Tensor[] result = new Tensor[inputs.length];
        run(outputs, gradOutputs, createGraph, createGraph, new Capture(targets, result));
        return result;
    }

    private record Capture(IdentityHashMap<Tensor, Integer> targets, Tensor[] result) {
        boolean take(Tensor t, Tensor g) {
            Integer i = targets.get(t);
            if (i == null) return false;
            result[i] = result[i] == null ? g : result[i].add(g);
            return true;
        }
    }

    private static void run(Tensor[] roots, Tensor[] rootGrads, boolean retainGraph, boolean createGraph, Capture capture) {
        if (rootGrads == null) rootGrads = new Tensor[roots.length];
        try (var mode = GradMode.set(createGraph)) {
            Map<Node, Tensor[]> pending = new HashMap<>();
            List<Node> starts = new ArrayList<>();
            for (int r = 0; r < roots.length; r++) {
                Tensor root = roots[r];
                if (!root.requiresGrad()) {
                    throw new IllegalStateException("backward: tensor " + Arrays.toString(root.shape())
                            + " does not require grad and has no grad_fn; did you call detach() or run under no-grad?");
                }
                Tensor g = rootGrads[r];
                if (g == null) {
                    if (root.numel() != 1) {
                        throw new IllegalArgumentException("backward: a gradient must be given for a non-scalar output (shape "
                                + Arrays.toString(root.shape()) + "); pass backward(gradient) with that shape");
                    }
                    g = Tensor.onesLike(root);
                } else if (!Arrays.equals(g.shape(), root.shape())) {
                    throw new IllegalArgumentException("backward: gradient shape " + Arrays.toString(g.shape())
                            + " does not match output shape " + Arrays.toString(root.shape()));
                }
                if (root.gradFn() == null) {
                    deliverToLeaf(root, g, capture);
                } else {
                    Tensor[] slot = pending.computeIfAbsent(root.gradFn(), n -> new Tensor[n.outputCount()]);
                    int i = root.outputIndex();
                    slot[i] = slot[i] == null ? g : slot[i].add(g);
                    starts.add(root.gradFn());
                }
            }
            Map<Node, Integer> deps = countDependencies(starts);
            PriorityQueue<Node> ready = new PriorityQueue<>((a, b) -> Long.compare(b.sequence(), a.sequence()));
            for (Node n : starts) if (deps.getOrDefault(n, 0) == 0 && !ready.contains(n)) ready.add(n);
            while (!ready.isEmpty()) {
                Node node = ready.poll();
                Tensor[] gradOut = pending.remove(node);
                for (int i = 0; i < gradOut.length; i++) gradOut[i] = node.applyOutputHooks(i, gradOut[i]);
                Tensor[] inputs = node.inputs();
                Tensor[] gradIn = node.runVjp(gradOut);
                for (int i = 0; i < inputs.length; i++) {
                    Tensor in = inputs[i];
                    Tensor g = gradIn[i];
                    Node next = in.gradFn();
                    if (g != null && node.needsInputGrad(i)) {
                        checkGradShape(node, i, in, g);
                        if (capture != null && capture.take(in, g) && next == null) {
                            // captured leaf: nothing further
                        } else if (next == null) {
                            if (capture == null && in.requiresGrad()) deliverToLeaf(in, g, null);
                        } else {
                            Tensor[] slot = pending.computeIfAbsent(next, n -> new Tensor[n.outputCount()]);
                            int k = in.outputIndex();
                            slot[k] = slot[k] == null ? g : slot[k].add(g);
                        }
                    }
                    if (next != null && node.needsInputGrad(i)) {
                        int d = deps.merge(next, -1, Integer::sum);
                        if (d == 0) {
                            pending.computeIfAbsent(next, n -> new Tensor[n.outputCount()]);
                            ready.add(next);
                        }
                    }
                }
                if (!retainGraph) node.release();
            }
        }
    }

    private static void checkGradShape(Node node, int i, Tensor in, Tensor g) {
        if (!Arrays.equals(g.shape(), in.shape())) {
            throw new IllegalStateException("internal error: the derivative of '" + node.op().name() + "' gave input " + i
                    + " a gradient of shape " + Arrays.toString(g.shape()) + " for an input of shape " + Arrays.toString(in.shape()));
        }
    }

    private static void deliverToLeaf(Tensor leaf, Tensor g, Capture capture) {
        if (capture != null) {
            capture.take(leaf, g);
            return;
        }
        g = leaf.applyLeafHooks(g);
        if (g.dtype() != leaf.dtype()) g = g.to(leaf.dtype());
        Tensor acc = leaf.grad() == null ? (GradMode.isEnabled() ? g : g.detach()) : leaf.grad().add(g);
        acc.storage().keep(); // gradients outlive the MemoryScope of the step that made them
        leaf.setGrad(acc);
    }

    /** For each node reachable from the starts, how many edges from other reachable nodes lead into it. */
    private static Map<Node, Integer> countDependencies(List<Node> starts) {
        Map<Node, Integer> deps = new HashMap<>();
        ArrayList<Node> stack = new ArrayList<>(starts);
        IdentityHashMap<Node, Boolean> seen = new IdentityHashMap<>();
        for (Node s : starts) seen.put(s, true);
        while (!stack.isEmpty()) {
            Node n = stack.removeLast();
            Tensor[] inputs = n.inputs();
            for (int i = 0; i < inputs.length; i++) {
                Node next = inputs[i].gradFn();
                if (next == null || !n.needsInputGrad(i)) continue;
                deps.merge(next, 1, Integer::sum);
                if (seen.put(next, true) == null) stack.add(next);
            }
        }
        return deps;
    }
}
