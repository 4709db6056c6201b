package dev.ember.infer.optimize;

import dev.ember.core.DType;
import dev.ember.core.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * The op calls of one traced forward, in the order they ran: a straight-line program over one
 * input, constants (parameters, buffers and values computed from them alone) and the nodes'
 * outputs. The optimizer's passes rewrite it; {@link InferenceModel} replays it.
 */
final class Graph {

    final List<Node> nodes = new ArrayList<>();
    final List<Tensor> constants = new ArrayList<>();
    final int[] inputShape;
    final DType inputDType;
    Ref[] outputs;

    Graph(int[] inputShape, DType inputDType) {
        this.inputShape = inputShape.clone();
        this.inputDType = inputDType;
    }

    Ref addConstant(Tensor t) {
        constants.add(t);
        return Ref.constant(constants.size() - 1);
    }

    Ref addNode(Node n) {
        nodes.add(n);
        return Ref.of(nodes.size() - 1, 0);
    }

    Node node(Ref r) { return nodes.get(r.node()); }

    Tensor constant(Ref r) { return constants.get(r.constant()); }

    int[] shape(Ref r) {
        if (r.isInput()) return inputShape.clone();
        if (r.isConstant()) return constant(r).shape();
        return node(r).shapes[r.output()].clone();
    }

    DType dtype(Ref r) {
        if (r.isInput()) return inputDType;
        if (r.isConstant()) return constant(r).dtype();
        return node(r).dtypes[r.output()];
    }

    /** Whether dimension 0 of the value is the input's batch dimension. */
    boolean isBatch(Ref r) {
        if (r.isInput()) return true;
        if (r.isConstant()) return false;
        return node(r).batch[r.output()];
    }

    /** How many times live nodes and the graph's outputs read {@code r}. */
    int uses(Ref r) {
        int n = 0;
        for (Node node : nodes) {
            if (node.removed) continue;
            for (Ref in : node.inputs) if (in.equals(r)) n++;
        }
        for (Ref out : outputs) if (out.equals(r)) n++;
        return n;
    }

    /** The index of the only live node reading {@code r}, or -1 when none or several read it or it is an output. */
    int soleConsumer(Ref r) {
        if (uses(r) != 1) return -1;
        for (int i = 0; i < nodes.size(); i++) {
            Node node = nodes.get(i);
            if (node.removed) continue;
            for (Ref in : node.inputs) if (in.equals(r)) return i;
        }
        return -1;
    }
}
