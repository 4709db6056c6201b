package dev.ember.infer.onnx;

import dev.ember.core.DType;
import dev.ember.core.Tensor;
import dev.ember.infer.onnx.proto.Onnx.AttributeProto;
import dev.ember.infer.onnx.proto.Onnx.GraphProto;
import dev.ember.infer.onnx.proto.Onnx.NodeProto;
import dev.ember.infer.onnx.proto.Onnx.TensorShapeProto;
import dev.ember.infer.onnx.proto.Onnx.TypeProto;
import dev.ember.infer.onnx.proto.Onnx.ValueInfoProto;

import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The ONNX graph being written: which traced tensor is which ONNX value, the nodes in order, and
 * the initializers. Traced tensors are known by identity. A tensor is one of three kinds:
 * <ul>
 *   <li>computed: an output of a node (it depends on a graph input or on model state);</li>
 *   <li>state: a parameter or buffer (an initializer under its state-dict name), or any other
 *       tensor the model read that no traced op made (an initializer {@code const_N});</li>
 *   <li>folded: made from nothing by ops such as {@code fill} (the scalar of {@code x.mul(0.5)});
 *       it becomes an initializer holding its traced value only if a node reads it.</li>
 * </ul>
 * For the dynamic batch, each computed value also records whether its dimension 0 is the batch.
 */
final class OnnxGraphBuilder {

    /** The symbolic name of the batch dimension in the graph's inputs and outputs. */
    static final String BATCH = "batch";

    private record Value(String name, boolean batch, int version, boolean computed) {}

    private final boolean dynamicBatch;
    private final GraphProto.Builder graph = GraphProto.newBuilder();
    private final IdentityHashMap<Tensor, Value> values = new IdentityHashMap<>();
    private final IdentityHashMap<Tensor, String> stateNames = new IdentityHashMap<>();
    private final IdentityHashMap<Tensor, Boolean> folded = new IdentityHashMap<>();
    private final IdentityHashMap<Tensor, String> unexportable = new IdentityHashMap<>();
    private final Set<String> names = new HashSet<>();
    private final Map<String, Integer> counters = new HashMap<>();
    private final Map<String, String> constantsByKey = new HashMap<>();
    /** Computed tensors by storage, to recognise a {@code detach()}ed copy of one (same memory, no traced op). */
    private final IdentityHashMap<dev.ember.core.memory.Storage, List<Tensor>> byStorage = new IdentityHashMap<>();

    OnnxGraphBuilder(boolean dynamicBatch, Map<String, Tensor> state) {
        this.dynamicBatch = dynamicBatch;
        state.forEach((n, t) -> stateNames.putIfAbsent(t, n));
        names.addAll(state.keySet());
    }

    boolean dynamicBatch() { return dynamicBatch; }

    // ---------------------------------------------------------------- graph inputs and outputs

    void addInput(String name, Tensor t) {
        claim(name);
        values.put(t, new Value(name, dynamicBatch && t.dim() > 0, t.storage().version(), true));
        byStorage.computeIfAbsent(t.storage(), k -> new java.util.ArrayList<>()).add(t);
        graph.addInput(valueInfo(name, t, dynamicBatch));
    }

    /** Declares {@code t} a graph output named {@code name} (through an Identity node where needed). */
    void addOutput(String name, Tensor t) {
        String src = name(t);
        Value v = values.get(t);
        boolean batch = v != null && v.batch();
        claim(name);
        node("Identity", List.of(src), List.of(name));
        graph.addOutput(valueInfo(name, t, batch));
    }

    private static ValueInfoProto valueInfo(String name, Tensor t, boolean batch) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        int[] s = t.shape();
        for (int i = 0; i < s.length; i++) {
            shape.addDim(i == 0 && batch ? TensorShapeProto.Dimension.newBuilder().setDimParam(BATCH)
                    : TensorShapeProto.Dimension.newBuilder().setDimValue(s[i]));
        }
        TypeProto type = TypeProto.newBuilder().setTensorType(
                TypeProto.Tensor.newBuilder().setElemType(OnnxTensors.elemType(t.dtype())).setShape(shape)).build();
        return ValueInfoProto.newBuilder().setName(name).setType(type).build();
    }

    // ---------------------------------------------------------------- kinds of traced tensors

    /**
     * The traced tensor that {@code t} stands for: itself, or a computed tensor with the same
     * memory, shape and strides (what {@code detach()} returns). An error if {@code t} views a
     * computed tensor's memory differently, since no traced op says how it was made.
     */
    Tensor resolve(Tensor t) {
        if (values.containsKey(t) || stateNames.containsKey(t) || folded.containsKey(t)) return t;
        List<Tensor> same = byStorage.get(t.storage());
        if (same == null) return t;
        for (Tensor c : same) {
            if (c.offset() == t.offset() && c.dtype() == t.dtype() && Arrays.equals(c.shape(), t.shape())
                    && Arrays.equals(c.strides(), t.strides())) {
                return c;
            }
        }
        throw new OnnxExportException("ONNX export: a tensor of shape " + Arrays.toString(t.shape()) + " views the memory of '"
                + values.get(same.getFirst()).name() + "' but was not made by a traced op (a view made outside the dispatcher?)");
    }

    /** Whether {@code t} is a graph input or computed by a node (as opposed to state or a constant). */
    boolean isComputed(Tensor t) {
        Value v = values.get(resolve(t));
        return v != null && v.computed();
    }

    /** Whether {@code t} is a parameter or buffer of the model. */
    boolean isState(Tensor t) { return stateNames.containsKey(t); }

    /** Whether {@code t} was made from nothing by traced ops and not yet read by a node. */
    boolean isFolded(Tensor t) { return folded.containsKey(resolve(t)); }

    void markFolded(Tensor t) { folded.put(t, Boolean.TRUE); }

    /** Marks an output that no ONNX value represents; reading it later is an error with this reason. */
    void markUnexportable(Tensor t, String reason) { unexportable.put(t, reason); }

    /** The reason {@code t} cannot be read, or null. */
    String unexportableReason(Tensor t) { return unexportable.get(resolve(t)); }

    /** Whether dimension 0 of {@code t} is the symbolic batch. */
    boolean isBatch(Tensor t) {
        Value v = values.get(resolve(t));
        return v != null && v.batch();
    }

    /** The parameter or buffer name of {@code t}, or null. */
    String stateName(Tensor t) { return stateNames.get(t); }

    /**
     * The ONNX value name of {@code t}, writing its initializer the first time a state tensor or
     * folded constant is read. An error if {@code t} changed in place after it was computed.
     */
    String name(Tensor t) {
        t = resolve(t);
        Value v = values.get(t);
        if (v != null) {
            if (v.computed() && v.version() != t.storage().version()) {
                throw new OnnxExportException("ONNX export: tensor '" + v.name() + "' of shape " + Arrays.toString(t.shape())
                        + " was changed in place after it was computed; in-place ops cannot be exported, use the out-of-place op");
            }
            return v.name();
        }
        String n = stateNames.get(t);
        if (n == null) n = fresh("const");
        graph.addInitializer(OnnxTensors.toProto(n, t));
        values.put(t, new Value(n, false, t.storage().version(), false));
        folded.remove(t);
        return n;
    }

    /** Records that {@code t} is the ONNX value {@code name} (a node's output). */
    void define(Tensor t, String name, boolean batch) {
        values.put(t, new Value(name, batch && dynamicBatch, t.storage().version(), true));
        byStorage.computeIfAbsent(t.storage(), k -> new java.util.ArrayList<>()).add(t);
    }

    // ---------------------------------------------------------------- names, nodes and constants

    /** A value or node name not used yet: {@code base}, then {@code base_1}, {@code base_2}, ... */
    String fresh(String base) {
        String n = base;
        while (names.contains(n)) n = base + "_" + counters.merge(base, 1, Integer::sum);
        names.add(n);
        return n;
    }

    private void claim(String name) {
        if (!names.add(name)) throw new OnnxExportException("ONNX export: the name '" + name + "' is used twice (input, output or parameter)");
    }

    /** Appends a node with the given outputs. */
    void node(String opType, List<String> inputs, List<String> outputs, AttributeProto... attrs) {
        NodeProto.Builder n = NodeProto.newBuilder().setOpType(opType).setName(fresh(opType));
        n.addAllInput(inputs).addAllOutput(outputs);
        for (AttributeProto a : attrs) n.addAttribute(a);
        graph.addNode(n);
    }

    /** Appends a node with one fresh output named after {@code base}; returns the output's name. */
    String node1(String opType, String base, List<String> inputs, AttributeProto... attrs) {
        String out = fresh(base);
        node(opType, inputs, List.of(out), attrs);
        return out;
    }

    /** A 1-d INT64 initializer (shapes, axes, pads), shared between nodes that need the same values. */
    String ints(long... v) {
        String key = "i64" + Arrays.toString(v);
        return constantsByKey.computeIfAbsent(key, k -> {
            String n = fresh("const_i64");
            graph.addInitializer(OnnxTensors.toProto(n, Tensor.of(v, v.length)));
            return n;
        });
    }

    /** A 0-d initializer of {@code dtype} holding {@code v}. */
    String scalar(double v, DType dtype) {
        String key = dtype + ":" + Double.doubleToRawLongBits(v);
        return constantsByKey.computeIfAbsent(key, k -> {
            String n = fresh("const_" + dtype.shortName());
            graph.addInitializer(OnnxTensors.toProto(n, Tensor.full(v, dtype, dev.ember.core.Device.CPU)));
            return n;
        });
    }

    /** A fresh initializer holding {@code t}. */
    String constant(String base, Tensor t) {
        String n = fresh(base);
        graph.addInitializer(OnnxTensors.toProto(n, t));
        return n;
    }

    GraphProto build(String name) { return graph.setName(name).build(); }

    // ---------------------------------------------------------------- attributes

    static AttributeProto attr(String name, long v) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(v).build();
    }

    static AttributeProto attr(String name, long[] v) {
        AttributeProto.Builder b = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long x : v) b.addInts(x);
        return b.build();
    }

    static AttributeProto attr(String name, int[] v) { return attr(name, Arrays.stream(v).asLongStream().toArray()); }

    static AttributeProto attr(String name, float v) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOAT).setF(v).build();
    }

    static AttributeProto attr(String name, String v) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.STRING)
                .setS(com.google.protobuf.ByteString.copyFromUtf8(v)).build();
    }
}
