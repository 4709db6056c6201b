package dev.ember.infer.onnx;

import dev.ember.infer.onnx.proto.Onnx.AttributeProto;
import dev.ember.infer.onnx.proto.Onnx.ModelProto;
import dev.ember.infer.onnx.proto.Onnx.NodeProto;
import dev.ember.infer.onnx.proto.Onnx.TensorProto;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An ONNX interpreter for the few operators of an MLP and a small CNN (Gemm, Relu, Conv,
 * MaxPool, Flatten, Reshape, Identity), written from the ONNX operator definitions with plain
 * loops and no Ember code, so that it checks the exported file independently of the exporter.
 */
final class MiniOnnxEvaluator {

    /** A float tensor: row-major data and its shape. */
    record Arr(int[] shape, float[] data) {
        int size(int d) { return shape[d]; }
    }

    private final ModelProto model;

    MiniOnnxEvaluator(ModelProto model) { this.model = model; }

    /** Runs the graph on {@code inputs} (by graph input name); returns the graph outputs by name. */
    Map<String, Arr> run(Map<String, Arr> inputs) {
        Map<String, Object> env = new HashMap<>(inputs);
        for (TensorProto t : model.getGraph().getInitializerList()) {
            int[] shape = t.getDimsList().stream().mapToInt(Long::intValue).toArray();
            env.put(t.getName(), t.getDataType() == TensorProto.DataType.INT64_VALUE ? OnnxTensors.longs(t)
                    : new Arr(shape, OnnxTensors.floats(t)));
        }
        for (NodeProto n : model.getGraph().getNodeList()) {
            List<Object> in = n.getInputList().stream().map(name -> {
                Object v = env.get(name);
                if (v == null) throw new IllegalStateException("node " + n.getName() + " reads undefined value '" + name + "'");
                return v;
            }).toList();
            Object out = switch (n.getOpType()) {
                case "Gemm" -> gemm((Arr) in.get(0), (Arr) in.get(1), in.size() > 2 ? (Arr) in.get(2) : null, intAttr(n, "transB", 0));
                case "Relu" -> relu((Arr) in.get(0));
                case "Conv" -> conv(n, (Arr) in.get(0), (Arr) in.get(1), in.size() > 2 ? (Arr) in.get(2) : null);
                case "MaxPool" -> maxPool(n, (Arr) in.get(0));
                case "Flatten" -> flatten((Arr) in.get(0), intAttr(n, "axis", 1));
                case "Reshape" -> reshape((Arr) in.get(0), (long[]) in.get(1));
                case "Identity" -> in.get(0);
                default -> throw new UnsupportedOperationException("MiniOnnxEvaluator: no operator " + n.getOpType());
            };
            env.put(n.getOutput(0), out);
        }
        Map<String, Arr> result = new HashMap<>();
        model.getGraph().getOutputList().forEach(o -> result.put(o.getName(), (Arr) env.get(o.getName())));
        return result;
    }

    private static AttributeProto attr(NodeProto n, String name) {
        for (AttributeProto a : n.getAttributeList()) if (a.getName().equals(name)) return a;
        return null;
    }

    private static int intAttr(NodeProto n, String name, int dflt) {
        AttributeProto a = attr(n, name);
        return a == null ? dflt : (int) a.getI();
    }

    private static int[] intsAttr(NodeProto n, String name, int[] dflt) {
        AttributeProto a = attr(n, name);
        return a == null ? dflt : a.getIntsList().stream().mapToInt(Long::intValue).toArray();
    }

    /** Y = A B' + C (transB) or A B + C, with C broadcast over rows. */
    private static Arr gemm(Arr a, Arr b, Arr c, int transB) {
        int m = a.size(0), k = a.size(1);
        int n = transB == 1 ? b.size(0) : b.size(1);
        float[] y = new float[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int p = 0; p < k; p++) s += (double) a.data[i * k + p] * (transB == 1 ? b.data[j * k + p] : b.data[p * n + j]);
                if (c != null) s += c.data.length == n ? c.data[j] : c.data[i * n + j];
                y[i * n + j] = (float) s;
            }
        }
        return new Arr(new int[] {m, n}, y);
    }

    private static Arr relu(Arr x) {
        float[] y = x.data.clone();
        for (int i = 0; i < y.length; i++) y[i] = Math.max(y[i], 0);
        return new Arr(x.shape, y);
    }

    /** NCHW convolution with groups, strides, pads (begin then end), dilations. */
    private static Arr conv(NodeProto node, Arr x, Arr w, Arr b) {
        int n = x.size(0), c = x.size(1), h = x.size(2), wd = x.size(3);
        int o = w.size(0), cg = w.size(1), kh = w.size(2), kw = w.size(3);
        int group = intAttr(node, "group", 1);
        int[] s = intsAttr(node, "strides", new int[] {1, 1}), d = intsAttr(node, "dilations", new int[] {1, 1});
        int[] p = intsAttr(node, "pads", new int[] {0, 0, 0, 0});
        int ho = (h + p[0] + p[2] - d[0] * (kh - 1) - 1) / s[0] + 1, wo = (wd + p[1] + p[3] - d[1] * (kw - 1) - 1) / s[1] + 1;
        int og = o / group;
        float[] y = new float[n * o * ho * wo];
        for (int in = 0; in < n; in++) {
            for (int oc = 0; oc < o; oc++) {
                int g = oc / og;
                for (int oy = 0; oy < ho; oy++) {
                    for (int ox = 0; ox < wo; ox++) {
                        double acc = b == null ? 0 : b.data[oc];
                        for (int ic = 0; ic < cg; ic++) {
                            for (int ky = 0; ky < kh; ky++) {
                                int iy = oy * s[0] - p[0] + ky * d[0];
                                if (iy < 0 || iy >= h) continue;
                                for (int kx = 0; kx < kw; kx++) {
                                    int ix = ox * s[1] - p[1] + kx * d[1];
                                    if (ix < 0 || ix >= wd) continue;
                                    acc += (double) x.data[((in * c + g * cg + ic) * h + iy) * wd + ix] * w.data[((oc * cg + ic) * kh + ky) * kw + kx];
                                }
                            }
                        }
                        y[((in * o + oc) * ho + oy) * wo + ox] = (float) acc;
                    }
                }
            }
        }
        return new Arr(new int[] {n, o, ho, wo}, y);
    }

    /** NCHW max pooling, padding positions ignored, floor mode only. */
    private static Arr maxPool(NodeProto node, Arr x) {
        if (intAttr(node, "ceil_mode", 0) != 0) throw new UnsupportedOperationException("MiniOnnxEvaluator: MaxPool ceil_mode");
        int n = x.size(0), c = x.size(1), h = x.size(2), wd = x.size(3);
        int[] k = intsAttr(node, "kernel_shape", null), s = intsAttr(node, "strides", new int[] {1, 1});
        int[] d = intsAttr(node, "dilations", new int[] {1, 1}), p = intsAttr(node, "pads", new int[] {0, 0, 0, 0});
        int ho = (h + p[0] + p[2] - d[0] * (k[0] - 1) - 1) / s[0] + 1, wo = (wd + p[1] + p[3] - d[1] * (k[1] - 1) - 1) / s[1] + 1;
        float[] y = new float[n * c * ho * wo];
        for (int plane = 0; plane < n * c; plane++) {
            for (int oy = 0; oy < ho; oy++) {
                for (int ox = 0; ox < wo; ox++) {
                    float m = Float.NEGATIVE_INFINITY;
                    for (int ky = 0; ky < k[0]; ky++) {
                        int iy = oy * s[0] - p[0] + ky * d[0];
                        if (iy < 0 || iy >= h) continue;
                        for (int kx = 0; kx < k[1]; kx++) {
                            int ix = ox * s[1] - p[1] + kx * d[1];
                            if (ix >= 0 && ix < wd) m = Math.max(m, x.data[(plane * h + iy) * wd + ix]);
                        }
                    }
                    y[(plane * ho + oy) * wo + ox] = m;
                }
            }
        }
        return new Arr(new int[] {n, c, ho, wo}, y);
    }

    private static Arr flatten(Arr x, int axis) {
        int outer = 1;
        for (int i = 0; i < axis; i++) outer *= x.shape[i];
        return new Arr(new int[] {outer, x.data.length / outer}, x.data);
    }

    /** Reshape with ONNX's 0 (copy the input's dimension) and -1 (infer). */
    private static Arr reshape(Arr x, long[] target) {
        int[] s = new int[target.length];
        int infer = -1;
        long known = 1;
        for (int i = 0; i < s.length; i++) {
            if (target[i] == -1) {
                infer = i;
                continue;
            }
            s[i] = target[i] == 0 ? x.shape[i] : (int) target[i];
            known *= s[i];
        }
        if (infer >= 0) s[infer] = (int) (x.data.length / known);
        if (Arrays.stream(s).asLongStream().reduce(1, (a, b) -> a * b) != x.data.length) {
            throw new IllegalStateException("Reshape of " + Arrays.toString(x.shape) + " to " + Arrays.toString(target));
        }
        return new Arr(s, x.data);
    }
}
