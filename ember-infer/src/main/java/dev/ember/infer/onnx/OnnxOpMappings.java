package dev.ember.infer.onnx;

import dev.ember.core.DType;
import dev.ember.core.Tensor;
import dev.ember.core.ops.ConvOps;
import dev.ember.core.ops.DimAttrs;
import dev.ember.core.ops.NormOps;
import dev.ember.core.ops.PadAttrs;
import dev.ember.core.ops.PadMode;
import dev.ember.core.ops.PoolingOps;
import dev.ember.core.ops.ReduceAttrs;
import dev.ember.core.ops.UnaryParams;
import dev.ember.core.ops.ViewOps;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static dev.ember.infer.onnx.OnnxGraphBuilder.attr;

/**
 * How each Ember op becomes ONNX nodes, keyed by op name. A mapping reads the traced call's
 * inputs by name from the {@link OnnxGraphBuilder}, appends nodes and defines the call's
 * outputs. Semantics follow the ops' declarations in ember-core (PyTorch's conventions), and the
 * ONNX operator definitions of opset 17 and later.
 */
final class OnnxOpMappings {

    private OnnxOpMappings() {}

    /** Writes one traced call as ONNX nodes. */
    @FunctionalInterface
    interface Mapping {
        void emit(TracedCall c, OnnxGraphBuilder g, int opset);
    }

    private static final Map<String, Mapping> TABLE = new HashMap<>();

    /** The mapping for {@code opName}, or null when the op has none. */
    static Mapping find(String opName) { return TABLE.get(opName); }

    /** The names of all ops with a mapping. */
    static Set<String> ops() { return Collections.unmodifiableSet(TABLE.keySet()); }

    static {
        // ---------------------------------------------------------------- elementwise
        for (String[] p : new String[][] {{"neg", "Neg"}, {"exp", "Exp"}, {"log", "Log"}, {"sqrt", "Sqrt"}, {"abs", "Abs"},
                {"sign", "Sign"}, {"sin", "Sin"}, {"cos", "Cos"}, {"tanh", "Tanh"}, {"sigmoid", "Sigmoid"}, {"relu", "Relu"},
                {"reciprocal", "Reciprocal"}, {"erf", "Erf"}, {"add", "Add"}, {"sub", "Sub"}, {"mul", "Mul"}, {"div", "Div"},
                {"pow", "Pow"}, {"maximum", "Max"}, {"minimum", "Min"}, {"eq", "Equal"}, {"lt", "Less"}, {"le", "LessOrEqual"},
                {"gt", "Greater"}, {"ge", "GreaterOrEqual"}, {"where", "Where"}, {"matmul", "MatMul"}}) {
            String onnx = p[1];
            TABLE.put(p[0], (c, g, opset) -> out(c, g, 0, g.node1(onnx, c.op().name(), names(c, g))));
        }
        TABLE.put("ne", (c, g, opset) -> out(c, g, 0, g.node1("Not", "ne", List.of(g.node1("Equal", "eq", names(c, g))))));
        TABLE.put("rsqrt", (c, g, opset) -> out(c, g, 0, g.node1("Reciprocal", "rsqrt", List.of(g.node1("Sqrt", "sqrt", names(c, g))))));
        TABLE.put("leaky_relu", (c, g, opset) -> out(c, g, 0,
                g.node1("LeakyRelu", "leaky_relu", names(c, g), attr("alpha", (float) ((UnaryParams) c.attrs()).a()))));
        TABLE.put("silu", (c, g, opset) -> {
            String x = in(c, g, 0);
            out(c, g, 0, g.node1("Mul", "silu", List.of(x, g.node1("Sigmoid", "sigmoid", List.of(x)))));
        });
        TABLE.put("softplus", OnnxOpMappings::softplus);
        TABLE.put("clamp", OnnxOpMappings::clamp);
        TABLE.put("pow_scalar", (c, g, opset) -> out(c, g, 0,
                g.node1("Pow", "pow", List.of(in(c, g, 0), g.scalar(((UnaryParams) c.attrs()).a(), c.inputs()[0].dtype())))));
        TABLE.put("gelu", OnnxOpMappings::gelu);
        TABLE.put("cast", (c, g, opset) -> {
            DType to = (DType) c.attrs();
            out(c, g, 0, to == c.inputs()[0].dtype() ? g.node1("Identity", "copy", names(c, g))
                    : g.node1("Cast", "cast", names(c, g), attr("to", OnnxTensors.elemType(to))));
        });
        TABLE.put("to_device", (c, g, opset) -> out(c, g, 0, g.node1("Identity", "to_device", names(c, g))));

        // ---------------------------------------------------------------- views and shapes
        TABLE.put("view", OnnxOpMappings::view);
        TABLE.put("permute", (c, g, opset) -> {
            int[] perm = (int[]) c.attrs();
            g.define(c.outputs()[0], g.node1("Transpose", "permute", names(c, g), attr("perm", perm)),
                    perm.length > 0 && perm[0] == 0 && g.isBatch(c.inputs()[0]));
        });
        TABLE.put("slice", OnnxOpMappings::slice);
        TABLE.put("select", (c, g, opset) -> {
            int[] dimIndex = (int[]) c.attrs();
            String idx = g.constant("index", Tensor.full(dimIndex[1], DType.I64, dev.ember.core.Device.CPU));
            g.define(c.outputs()[0], g.node1("Gather", "select", List.of(in(c, g, 0), idx), attr("axis", dimIndex[0])),
                    dimIndex[0] != 0 && g.isBatch(c.inputs()[0]));
        });
        TABLE.put("expand", OnnxOpMappings::expand);
        TABLE.put("cat", (c, g, opset) -> {
            int dim = ((DimAttrs) c.attrs()).dim();
            g.define(c.outputs()[0], g.node1("Concat", "cat", names(c, g), attr("axis", dim)), dim != 0 && anyBatch(c, g));
        });
        TABLE.put("constant_pad", OnnxOpMappings::pad);
        TABLE.put("pad", OnnxOpMappings::pad);

        // ---------------------------------------------------------------- reductions
        TABLE.put("sum", (c, g, opset) -> reduce(c, g, "ReduceSum", true));
        TABLE.put("amax", (c, g, opset) -> reduce(c, g, "ReduceMax", opset >= 18));
        TABLE.put("amin", (c, g, opset) -> reduce(c, g, "ReduceMin", opset >= 18));
        TABLE.put("logsumexp", (c, g, opset) -> reduce(c, g, "ReduceLogSumExp", opset >= 18));
        TABLE.put("softmax", (c, g, opset) -> out(c, g, 0, g.node1("Softmax", "softmax", names(c, g), attr("axis", (Integer) c.attrs()))));
        TABLE.put("log_softmax", (c, g, opset) ->
                out(c, g, 0, g.node1("LogSoftmax", "log_softmax", names(c, g), attr("axis", (Integer) c.attrs()))));

        // ---------------------------------------------------------------- layers
        TABLE.put("linear", OnnxOpMappings::linear);
        TABLE.put("conv2d", OnnxOpMappings::conv2d);
        TABLE.put("conv_transpose2d", OnnxOpMappings::convTranspose2d);
        TABLE.put("max_pool2d", OnnxOpMappings::maxPool2d);
        TABLE.put("avg_pool2d", OnnxOpMappings::avgPool2d);
        TABLE.put("adaptive_avg_pool2d", OnnxOpMappings::adaptiveAvgPool2d);
        TABLE.put("upsample_nearest2d", OnnxOpMappings::resize);
        TABLE.put("upsample_bilinear2d", OnnxOpMappings::resize);
        TABLE.put("batch_norm", OnnxOpMappings::batchNorm);
        TABLE.put("layer_norm", OnnxOpMappings::layerNorm);
        TABLE.put("group_norm", OnnxOpMappings::groupNorm);
        TABLE.put("embedding", (c, g, opset) -> out(c, g, 0, g.node1("Gather", "embedding", names(c, g), attr("axis", 0))));
        TABLE.put("index_select", (c, g, opset) ->
                out(c, g, 0, g.node1("Gather", "index_select", names(c, g), attr("axis", ((DimAttrs) c.attrs()).dim()))));
        TABLE.put("gather", (c, g, opset) ->
                out(c, g, 0, g.node1("GatherElements", "gather", names(c, g), attr("axis", ((DimAttrs) c.attrs()).dim()))));
    }

    // ---------------------------------------------------------------- helpers

    private static String in(TracedCall c, OnnxGraphBuilder g, int i) { return g.name(c.inputs()[i]); }

    private static List<String> names(TracedCall c, OnnxGraphBuilder g) {
        List<String> r = new ArrayList<>();
        for (Tensor t : c.inputs()) r.add(g.name(t));
        return r;
    }

    private static boolean anyBatch(TracedCall c, OnnxGraphBuilder g) {
        for (Tensor t : c.inputs()) if (g.isBatch(t)) return true;
        return false;
    }

    /**
     * Defines output {@code i} as {@code name}. Its dimension 0 is the batch when an input's is
     * and the sizes agree: true of every op here that keeps dimension 0 (elementwise, conv, pool,
     * norm, linear, resize); ops that can move or reduce it decide for themselves.
     */
    private static void out(TracedCall c, OnnxGraphBuilder g, int i, String name) {
        Tensor o = c.outputs()[i];
        boolean batch = false;
        for (Tensor t : c.inputs()) {
            if (g.isBatch(t) && o.dim() > 0 && t.shape(0) == o.shape(0) && t.dim() == o.dim()) batch = true;
        }
        g.define(o, name, batch);
    }

    private static float f(double v) { return (float) v; }

    // ---------------------------------------------------------------- elementwise with parameters

    private static void softplus(TracedCall c, OnnxGraphBuilder g, int opset) {
        // Softplus has no threshold in ONNX; above it PyTorch returns x, which log(1 + exp(x)) equals to float precision
        double beta = ((UnaryParams) c.attrs()).a();
        DType d = c.inputs()[0].dtype();
        String x = in(c, g, 0);
        if (beta == 1) {
            out(c, g, 0, g.node1("Softplus", "softplus", List.of(x)));
            return;
        }
        String sp = g.node1("Softplus", "softplus", List.of(g.node1("Mul", "mul", List.of(x, g.scalar(beta, d)))));
        out(c, g, 0, g.node1("Div", "softplus", List.of(sp, g.scalar(beta, d))));
    }

    private static void clamp(TracedCall c, OnnxGraphBuilder g, int opset) {
        UnaryParams p = (UnaryParams) c.attrs();
        DType d = c.inputs()[0].dtype();
        String lo = Double.isNaN(p.a()) ? "" : g.scalar(p.a(), d), hi = Double.isNaN(p.b()) ? "" : g.scalar(p.b(), d);
        out(c, g, 0, g.node1("Clip", "clamp", List.of(in(c, g, 0), lo, hi)));
    }

    private static void gelu(TracedCall c, OnnxGraphBuilder g, int opset) {
        boolean tanh = (Boolean) c.attrs();
        String x = in(c, g, 0);
        if (opset >= 20) {
            out(c, g, 0, g.node1("Gelu", "gelu", List.of(x), attr("approximate", tanh ? "tanh" : "none")));
            return;
        }
        DType d = c.inputs()[0].dtype();
        String inner;
        if (tanh) {
            // sqrt(2/pi) * (x + 0.044715 x^3)
            String cube = g.node1("Mul", "mul", List.of(x, g.node1("Mul", "mul", List.of(x, x))));
            String sum = g.node1("Add", "add", List.of(x, g.node1("Mul", "mul", List.of(cube, g.scalar(0.044715, d)))));
            inner = g.node1("Tanh", "tanh", List.of(g.node1("Mul", "mul", List.of(sum, g.scalar(Math.sqrt(2 / Math.PI), d)))));
        } else {
            inner = g.node1("Erf", "erf", List.of(g.node1("Mul", "mul", List.of(x, g.scalar(1 / Math.sqrt(2), d)))));
        }
        String half = g.node1("Mul", "mul", List.of(x, g.scalar(0.5, d)));
        out(c, g, 0, g.node1("Mul", "gelu", List.of(half, g.node1("Add", "add", List.of(inner, g.scalar(1, d))))));
    }

    // ---------------------------------------------------------------- views

    /**
     * Reshape to the traced shape. With a dynamic batch, dimension 0 is written as 0 (copy the
     * input's) when the view keeps it, or -1 (infer) when the view folds it into others.
     */
    private static void view(TracedCall c, OnnxGraphBuilder g, int opset) {
        Tensor x = c.inputs()[0], y = c.outputs()[0];
        long[] shape = Arrays.stream(y.shape()).asLongStream().toArray();
        boolean batch = false;
        if (g.isBatch(x) && shape.length > 0) {
            batch = y.shape(0) == x.shape(0);
            shape[0] = batch ? 0 : -1;
        }
        g.define(y, g.node1("Reshape", "view", List.of(g.name(x), g.ints(shape))), batch);
    }

    private static void slice(TracedCall c, OnnxGraphBuilder g, int opset) {
        ViewOps.SliceAttrs a = (ViewOps.SliceAttrs) c.attrs();
        Tensor x = c.inputs()[0];
        // a slice to the end stays one with another batch size
        long end = a.end() >= x.shape(a.dim()) ? Long.MAX_VALUE : a.end();
        String y = g.node1("Slice", "slice", List.of(g.name(x), g.ints(a.start()), g.ints(end), g.ints(a.dim()), g.ints(a.step())));
        boolean whole = a.start() == 0 && end == Long.MAX_VALUE && a.step() == 1;
        g.define(c.outputs()[0], y, g.isBatch(x) && (a.dim() != 0 || whole));
    }

    /** Expand to the traced shape, with 1 (keep) wherever the input's size already matches, so the batch carries through. */
    private static void expand(TracedCall c, OnnxGraphBuilder g, int opset) {
        Tensor x = c.inputs()[0], y = c.outputs()[0];
        int[] xs = x.shape(), ys = y.shape();
        long[] shape = new long[ys.length];
        int lead = ys.length - xs.length;
        for (int i = 0; i < ys.length; i++) shape[i] = i >= lead && xs[i - lead] == ys[i] ? 1 : ys[i];
        g.define(y, g.node1("Expand", "expand", List.of(g.name(x), g.ints(shape))), lead == 0 && g.isBatch(x));
    }

    private static void pad(TracedCall c, OnnxGraphBuilder g, int opset) {
        PadAttrs a = (PadAttrs) c.attrs();
        Tensor x = c.inputs()[0];
        int rank = x.dim();
        long[] pads = new long[2 * rank];
        for (int d = 0; d < rank; d++) {
            pads[d] = a.before(d, rank);
            pads[rank + d] = a.after(d, rank);
        }
        String mode = switch (a.mode()) {
            case CONSTANT -> "constant";
            case REFLECT -> "reflect";
            case REPLICATE -> "edge";
        };
        List<String> inputs = new ArrayList<>(List.of(g.name(x), g.ints(pads)));
        if (a.mode() == PadMode.CONSTANT) inputs.add(g.scalar(a.value(), x.dtype()));
        g.define(c.outputs()[0], g.node1("Pad", "pad", inputs, attr("mode", mode)), g.isBatch(x) && pads[0] == 0 && pads[rank] == 0);
    }

    // ---------------------------------------------------------------- reductions

    /** A reduction over the traced axes; {@code axesInput}: axes as the second input (ReduceSum since 13, the others since 18). */
    private static void reduce(TracedCall c, OnnxGraphBuilder g, String onnx, boolean axesInput) {
        ReduceAttrs a = (ReduceAttrs) c.attrs();
        Tensor x = c.inputs()[0];
        long[] axes = Arrays.stream(a.axes()).asLongStream().toArray();
        String y;
        if (axesInput) {
            y = g.node1(onnx, c.op().name(), List.of(g.name(x), g.ints(axes)), attr("keepdims", a.keepDim() ? 1 : 0));
        } else {
            y = g.node1(onnx, c.op().name(), List.of(g.name(x)), attr("axes", axes), attr("keepdims", a.keepDim() ? 1 : 0));
        }
        boolean keepsBatch = g.isBatch(x) && Arrays.stream(a.axes()).noneMatch(ax -> ax == 0);
        g.define(c.outputs()[0], y, keepsBatch);
    }

    // ---------------------------------------------------------------- layers

    /** Gemm (weight transposed) for 2-d inputs; MatMul with the transposed weight, then Add, otherwise. */
    private static void linear(TracedCall c, OnnxGraphBuilder g, int opset) {
        Tensor x = c.inputs()[0];
        if (x.dim() == 2) {
            out(c, g, 0, g.node1("Gemm", "linear", names(c, g), attr("transB", 1)));
            return;
        }
        String wt = g.node1("Transpose", "weight_t", List.of(in(c, g, 1)), attr("perm", new long[] {1, 0}));
        String y = g.node1("MatMul", "linear", List.of(in(c, g, 0), wt));
        if (c.inputs().length > 2) y = g.node1("Add", "linear", List.of(y, in(c, g, 2)));
        out(c, g, 0, y);
    }

    /** ONNX pads: all begins, then all ends. */
    private static long[] pads2d(int[] p) { return new long[] {p[0], p[1], p[0], p[1]}; }

    private static void conv2d(TracedCall c, OnnxGraphBuilder g, int opset) {
        ConvOps.Conv2dAttrs a = (ConvOps.Conv2dAttrs) c.attrs();
        int[] ws = c.inputs()[1].shape();
        out(c, g, 0, g.node1("Conv", "conv2d", names(c, g), attr("kernel_shape", new long[] {ws[2], ws[3]}),
                attr("strides", a.stride()), attr("pads", pads2d(a.padding())), attr("dilations", a.dilation()), attr("group", a.groups())));
    }

    private static void convTranspose2d(TracedCall c, OnnxGraphBuilder g, int opset) {
        ConvOps.ConvTranspose2dAttrs a = (ConvOps.ConvTranspose2dAttrs) c.attrs();
        int[] ws = c.inputs()[1].shape();
        out(c, g, 0, g.node1("ConvTranspose", "conv_transpose2d", names(c, g), attr("kernel_shape", new long[] {ws[2], ws[3]}),
                attr("strides", a.stride()), attr("pads", pads2d(a.padding())), attr("dilations", a.dilation()),
                attr("group", a.groups()), attr("output_padding", a.outputPadding())));
    }

    private static void maxPool2d(TracedCall c, OnnxGraphBuilder g, int opset) {
        PoolingOps.MaxPool2dAttrs a = (PoolingOps.MaxPool2dAttrs) c.attrs();
        out(c, g, 0, g.node1("MaxPool", "max_pool2d", List.of(in(c, g, 0)), attr("kernel_shape", a.kernel()), attr("strides", a.stride()),
                attr("pads", pads2d(a.padding())), attr("dilations", a.dilation()), attr("ceil_mode", a.ceilMode() ? 1 : 0)));
        // ONNX MaxPool's indices count over the whole tensor, Ember's within each H x W plane
        g.markUnexportable(c.outputs()[1], "the indices of max_pool2d (Ember numbers them per H x W plane, ONNX over the whole tensor)");
    }

    private static void avgPool2d(TracedCall c, OnnxGraphBuilder g, int opset) {
        PoolingOps.AvgPool2d a = (PoolingOps.AvgPool2d) c.attrs();
        out(c, g, 0, g.node1("AveragePool", "avg_pool2d", List.of(in(c, g, 0)), attr("kernel_shape", a.kernel()), attr("strides", a.stride()),
                attr("pads", pads2d(a.padding())), attr("ceil_mode", a.ceilMode() ? 1 : 0),
                attr("count_include_pad", a.countIncludePad() ? 1 : 0)));
    }

    /** GlobalAveragePool for a 1x1 output, an AveragePool when the output size divides the input's, else no mapping. */
    private static void adaptiveAvgPool2d(TracedCall c, OnnxGraphBuilder g, int opset) {
        PoolingOps.AdaptiveAvgPool2d a = (PoolingOps.AdaptiveAvgPool2d) c.attrs();
        int[] xs = c.inputs()[0].shape();
        if (a.outH() == 1 && a.outW() == 1) {
            out(c, g, 0, g.node1("GlobalAveragePool", "adaptive_avg_pool2d", names(c, g)));
            return;
        }
        if (xs[2] % a.outH() != 0 || xs[3] % a.outW() != 0) {
            throw new OnnxExportException("ONNX export: adaptive_avg_pool2d to " + a.outH() + "x" + a.outW() + " of input " + Arrays.toString(xs)
                    + " has uneven windows, which ONNX cannot express; use an input size divisible by the output size");
        }
        long[] k = {xs[2] / a.outH(), xs[3] / a.outW()};
        out(c, g, 0, g.node1("AveragePool", "adaptive_avg_pool2d", names(c, g), attr("kernel_shape", k), attr("strides", k)));
    }

    /** Resize to the traced H and W; N and C come from the input's shape at run time, so the batch stays free. */
    private static void resize(TracedCall c, OnnxGraphBuilder g, int opset) {
        Tensor x = c.inputs()[0], y = c.outputs()[0];
        String nc = g.node1("Slice", "shape_nc", List.of(g.node1("Shape", "shape", List.of(g.name(x))), g.ints(0), g.ints(2)));
        String sizes = g.node1("Concat", "sizes", List.of(nc, g.ints(y.shape(2), y.shape(3))), attr("axis", 0));
        List<String> inputs = List.of(g.name(x), "", "", sizes);
        String r;
        if (c.attrs() instanceof PoolingOps.UpsampleBilinear2d b) {
            r = g.node1("Resize", c.op().name(), inputs, attr("mode", "linear"),
                    attr("coordinate_transformation_mode", b.alignCorners() ? "align_corners" : "pytorch_half_pixel"));
        } else {
            r = g.node1("Resize", c.op().name(), inputs, attr("mode", "nearest"), attr("coordinate_transformation_mode", "asymmetric"),
                    attr("nearest_mode", "floor"));
        }
        out(c, g, 0, r);
    }

    /** BatchNormalization with the running statistics; the op's mean and variance outputs are those statistics. */
    private static void batchNorm(TracedCall c, OnnxGraphBuilder g, int opset) {
        NormOps.BatchNormAttrs a = (NormOps.BatchNormAttrs) c.attrs();
        Tensor[] in = c.inputs();
        if (a.training() || !a.hasRunning()) {
            throw new OnnxExportException("ONNX export: batch_norm with batch statistics (training mode or no running statistics, input "
                    + Arrays.toString(in[0].shape()) + ") has no inference equivalent; export a model that tracks running statistics");
        }
        int k = 1;
        Tensor mean = in[k++], var = in[k++];
        int channels = in[0].shape(1);
        DType d = in[0].dtype();
        String scale = a.hasWeight() ? g.name(in[k++]) : g.constant("bn_scale", Tensor.full(1, d, dev.ember.core.Device.CPU, channels));
        String bias = a.hasBias() ? g.name(in[k]) : g.constant("bn_bias", Tensor.full(0, d, dev.ember.core.Device.CPU, channels));
        out(c, g, 0, g.node1("BatchNormalization", "batch_norm", List.of(g.name(in[0]), scale, bias, g.name(mean), g.name(var)),
                attr("epsilon", f(a.eps()))));
        g.define(c.outputs()[1], g.name(mean), false);
        g.define(c.outputs()[2], g.name(var), false);
    }

    private static void layerNorm(TracedCall c, OnnxGraphBuilder g, int opset) {
        NormOps.LayerNormAttrs a = (NormOps.LayerNormAttrs) c.attrs();
        Tensor[] in = c.inputs();
        int k = 1;
        String scale = a.hasWeight() ? g.name(in[k++]) : g.constant("ln_scale", Tensor.full(1, in[0].dtype(), dev.ember.core.Device.CPU, a.normalizedShape()));
        List<String> inputs = new ArrayList<>(List.of(g.name(in[0]), scale));
        if (a.hasBias()) inputs.add(g.name(in[k]));
        out(c, g, 0, g.node1("LayerNormalization", "layer_norm", inputs, attr("axis", -a.normalizedShape().length),
                attr("epsilon", f(a.eps()))));
    }

    /**
     * Group norm as ONNX exporters write it before opset 18's GroupNormalization settled:
     * reshape to [N, groups, -1], InstanceNormalization, reshape back, then the per-channel affine.
     */
    private static void groupNorm(TracedCall c, OnnxGraphBuilder g, int opset) {
        NormOps.GroupNormAttrs a = (NormOps.GroupNormAttrs) c.attrs();
        Tensor[] in = c.inputs();
        Tensor x = in[0];
        DType d = x.dtype();
        int groups = a.numGroups();
        String xn = g.name(x);
        String grouped = g.node1("Reshape", "group_norm", List.of(xn, g.ints(0, groups, -1)));
        String normed = g.node1("InstanceNormalization", "group_norm", List.of(grouped,
                g.constant("gn_scale", Tensor.full(1, d, dev.ember.core.Device.CPU, groups)),
                g.constant("gn_bias", Tensor.full(0, d, dev.ember.core.Device.CPU, groups))), attr("epsilon", f(a.eps())));
        String y = g.node1("Reshape", "group_norm", List.of(normed, g.node1("Shape", "shape", List.of(xn))));
        long[] bshape = new long[x.dim() - 1];
        Arrays.fill(bshape, 1);
        bshape[0] = x.shape(1);
        int k = 1;
        if (a.hasWeight()) y = g.node1("Mul", "group_norm", List.of(y, g.node1("Reshape", "gn_weight", List.of(g.name(in[k++]), g.ints(bshape)))));
        if (a.hasBias()) y = g.node1("Add", "group_norm", List.of(y, g.node1("Reshape", "gn_bias", List.of(g.name(in[k]), g.ints(bshape)))));
        out(c, g, 0, y);
    }
}
