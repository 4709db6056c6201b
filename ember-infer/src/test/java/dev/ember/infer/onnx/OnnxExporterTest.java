package dev.ember.infer.onnx;

import dev.ember.core.Tensor;
import dev.ember.core.ops.ReductionOps;
import dev.ember.core.random.Generator;
import dev.ember.infer.onnx.proto.Onnx.ModelProto;
import dev.ember.infer.onnx.proto.Onnx.NodeProto;
import dev.ember.infer.onnx.proto.Onnx.TensorProto;
import dev.ember.infer.onnx.proto.Onnx.TensorShapeProto;
import dev.ember.infer.onnx.proto.Onnx.ValueInfoProto;
import dev.ember.nn.Module;
import dev.ember.nn.layers.Linear;
import dev.ember.nn.layers.Sequential;
import dev.ember.nn.zoo.Mlp;
import dev.ember.nn.zoo.ResNet;
import dev.ember.nn.zoo.SmallCnn;
import dev.ember.nn.zoo.UNet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.*;

class OnnxExporterTest {

    private static ModelProto exportAndParse(Module m, Path dir, Tensor x) throws Exception {
        Path file = dir.resolve("model.onnx");
        OnnxExporter.export(m, file, x);
        return ModelProto.parseFrom(Files.readAllBytes(file));
    }

    private static List<String> opTypes(ModelProto p) {
        return p.getGraph().getNodeList().stream().map(NodeProto::getOpType).toList();
    }

    private static Map<String, Integer> opCounts(ModelProto p) {
        Map<String, Integer> r = new TreeMap<>();
        for (String t : opTypes(p)) r.merge(t, 1, Integer::sum);
        return r;
    }

    private static Map<String, TensorProto> initializers(ModelProto p) {
        Map<String, TensorProto> r = new LinkedHashMap<>();
        for (TensorProto t : p.getGraph().getInitializerList()) assertNull(r.put(t.getName(), t), "initializer " + t.getName() + " twice");
        return r;
    }

    /** Dimension i of a graph input or output: its dim_param, or its value as a string. */
    private static String dim(ValueInfoProto v, int i) {
        TensorShapeProto.Dimension d = v.getType().getTensorType().getShape().getDim(i);
        return d.hasDimParam() ? d.getDimParam() : Long.toString(d.getDimValue());
    }

    /** Every parameter and floating buffer the forward reads is an initializer with its state-dict name, shape and bits. */
    private static void assertStateExported(Module m, Map<String, TensorProto> inits, List<String> skipped) {
        for (var e : m.stateDict().entrySet()) {
            if (skipped.contains(e.getKey().substring(e.getKey().lastIndexOf('.') + 1))) continue;
            TensorProto p = inits.get(e.getKey());
            assertNotNull(p, "no initializer for " + e.getKey() + "; have " + inits.keySet());
            Tensor t = e.getValue();
            assertArrayEquals(Arrays.stream(t.shape()).asLongStream().toArray(), p.getDimsList().stream().mapToLong(Long::longValue).toArray(),
                    e.getKey());
            assertEquals(TensorProto.DataType.FLOAT_VALUE, p.getDataType(), e.getKey());
            float[] want = t.toFloatArray(), got = OnnxTensors.floats(p);
            assertEquals(want.length, got.length, e.getKey());
            int i = 0;
            while (i < want.length && Float.floatToRawIntBits(want[i]) == Float.floatToRawIntBits(got[i])) i++;
            int first = i;
            assertEquals(want.length, first, () -> e.getKey() + "[" + first + "]: the file holds " + got[first] + ", the model " + want[first]);
        }
    }

    @Test
    void mlpBecomesGemmReluGemmWithNamedWeights(@TempDir Path dir) throws Exception {
        Mlp mlp = new Mlp(Generator.seeded(1), 20, 16, 8);
        ModelProto p = exportAndParse(mlp, dir, Tensor.randn(Generator.seeded(2), 3, 20));

        assertEquals(8, p.getIrVersion());
        assertEquals(1, p.getOpsetImportCount());
        assertEquals("", p.getOpsetImport(0).getDomain());
        assertEquals(17, p.getOpsetImport(0).getVersion());
        assertEquals(List.of("Gemm", "Relu", "Gemm", "Identity"), opTypes(p));
        NodeProto gemm = p.getGraph().getNode(0);
        assertEquals(List.of("input", "0.weight", "0.bias"), gemm.getInputList());
        assertTrue(gemm.getAttributeList().stream().anyMatch(a -> a.getName().equals("transB") && a.getI() == 1));

        Map<String, TensorProto> inits = initializers(p);
        assertEquals(List.of("0.weight", "0.bias", "2.weight", "2.bias"), List.copyOf(inits.keySet()));
        assertStateExported(mlp, inits, List.of());

        ValueInfoProto in = p.getGraph().getInput(0), out = p.getGraph().getOutput(0);
        assertEquals("input", in.getName());
        assertEquals("output", out.getName());
        assertEquals(TensorProto.DataType.FLOAT_VALUE, in.getType().getTensorType().getElemType());
        assertEquals(List.of("batch", "20"), List.of(dim(in, 0), dim(in, 1)));
        assertEquals(List.of("batch", "8"), List.of(dim(out, 0), dim(out, 1)));
    }

    @Test
    void smallCnnMapsConvPoolFlattenAndLinear(@TempDir Path dir) throws Exception {
        SmallCnn cnn = new SmallCnn(1, 10, 12, Generator.seeded(3));
        ModelProto p = exportAndParse(cnn, dir, Tensor.randn(Generator.seeded(4), 2, 1, 12, 12));
        assertEquals(List.of("Conv", "Relu", "Conv", "Relu", "MaxPool", "Reshape", "Gemm", "Relu", "Gemm", "Identity"), opTypes(p));
        NodeProto conv = p.getGraph().getNode(0);
        assertEquals(List.of("input", "conv1.weight", "conv1.bias"), conv.getInputList());
        Map<String, TensorProto> inits = initializers(p);
        assertStateExported(cnn, inits, List.of());
        // the flatten keeps dimension 0 free: Reshape to [0, 64 * 4 * 4]
        String shapeName = p.getGraph().getNode(5).getInput(1);
        assertArrayEquals(new long[] {0, 64 * 4 * 4}, OnnxTensors.longs(inits.get(shapeName)));
    }

    @Test
    void resnet18HasEveryLayerAndEveryWeight(@TempDir Path dir) throws Exception {
        ResNet net = ResNet.resnet18(3, 10, Generator.seeded(5));
        net.train();
        // give the running statistics non-trivial values, as after training
        Generator g = Generator.seeded(6);
        for (var e : net.namedBuffers().entrySet()) {
            if (e.getKey().endsWith("running_mean")) e.getValue().copy_(Tensor.randn(g, e.getValue().shape()));
            if (e.getKey().endsWith("running_var")) e.getValue().copy_(Tensor.rand(g, e.getValue().shape()).add(0.5));
        }
        ModelProto p = exportAndParse(net, dir, Tensor.randn(g, 2, 3, 32, 32));
        assertTrue(net.isTraining(), "the exporter restores the training mode");

        Map<String, Integer> counts = opCounts(p);
        assertEquals(20, counts.get("Conv"));
        assertEquals(20, counts.get("BatchNormalization"));
        assertEquals(8, counts.get("Add"));
        assertEquals(17, counts.get("Relu"));
        assertEquals(1, counts.get("MaxPool"));
        assertEquals(1, counts.get("GlobalAveragePool"));
        assertEquals(1, counts.get("Gemm"));
        assertEquals(1, counts.get("Reshape"));
        Map<String, TensorProto> inits = initializers(p);
        assertStateExported(net, inits, List.of("num_batches_tracked"));
        assertTrue(inits.containsKey("layer2.0.downsample.0.weight"));
        assertTrue(inits.containsKey("layer4.1.bn2.running_var"));
        NodeProto bn = p.getGraph().getNodeList().stream().filter(n -> n.getOpType().equals("BatchNormalization")).findFirst().orElseThrow();
        assertEquals(List.of("bn1.weight", "bn1.bias", "bn1.running_mean", "bn1.running_var"), bn.getInputList().subList(1, 5));
        assertEquals(List.of("batch", "10"), List.of(dim(p.getGraph().getOutput(0), 0), dim(p.getGraph().getOutput(0), 1)));
    }

    @Test
    void optionsSetOpsetNamesAndFixedBatch() {
        Mlp mlp = new Mlp(Generator.seeded(7), 4, 3);
        OnnxExportOptions o = OnnxExportOptions.defaults().withOpset(18).withInputNames("features").withOutputNames("logits")
                .withDynamicBatch(false);
        ModelProto p = OnnxExporter.toModel(mlp, o, Tensor.randn(Generator.seeded(8), 5, 4));
        assertEquals(18, p.getOpsetImport(0).getVersion());
        assertEquals("features", p.getGraph().getInput(0).getName());
        assertEquals("logits", p.getGraph().getOutput(0).getName());
        assertEquals("5", dim(p.getGraph().getInput(0), 0));
        assertEquals("5", dim(p.getGraph().getOutput(0), 0));
        assertThrows(IllegalArgumentException.class, () -> o.withOpset(16));
    }

    /** Holds no parameter, so the error finds it through the Java caller. */
    static final class Variance extends Module {
        @Override
        public Tensor forward(Tensor x) { return ReductionOps.var(x, new int[] {1}, 1, true); }
    }

    @Test
    void unmappedOpIsAnErrorNamingOpShapesAndModule() {
        Module m = new Sequential(new Linear(3, 3, true, Generator.seeded(9)), new Variance());
        OnnxExportException e = assertThrows(OnnxExportException.class,
                () -> OnnxExporter.toModel(m, OnnxExportOptions.defaults(), Tensor.randn(Generator.seeded(10), 2, 3)));
        assertEquals("ONNX export: no mapping for op 'var' (inputs [2, 3]) in module '1' (Variance)", e.getMessage());
    }

    @Test
    void maxPoolIndicesAreRefused() {
        Module m = new Module() {
            @Override
            public Tensor forward(Tensor x) {
                var r = dev.ember.core.ops.PoolingOps.maxPool2dWithIndices(x, new int[] {2, 2}, null, null, null, false);
                return r.values().add(r.indices().to(dev.ember.core.DType.F32));
            }
        };
        OnnxExportException e = assertThrows(OnnxExportException.class,
                () -> OnnxExporter.toModel(m, OnnxExportOptions.defaults(), Tensor.randn(Generator.seeded(11), 2, 1, 4, 4)));
        assertTrue(e.getMessage().startsWith("ONNX export: op 'cast' (inputs [2, 1, 2, 2])"), e.getMessage());
        assertTrue(e.getMessage().contains("indices of max_pool2d"), e.getMessage());
    }

    /**
     * Both U-Nets and a headless ResNet export every weight and map their ops. ResNetUNet is made
     * of the same ops and is too big for a unit test; ember-bench's {@code OnnxZooCheck} runs it,
     * and all of these, through ONNX Runtime.
     */
    @Test
    void zooSegmentationModelsExport() {
        Generator g = Generator.seeded(12);
        Map<String, Module> models = new LinkedHashMap<>();
        models.put("unet-bilinear", new UNet(1, 2, 2, 4, true, g));
        models.put("unet-transposed", new UNet(1, 2, 2, 4, false, g));
        models.put("resnet18-headless", ResNet.resnet18(3, 0, g));
        Map<String, int[]> shapes = new HashMap<>(Map.of("unet-bilinear", new int[] {2, 1, 18, 18}, "unet-transposed", new int[] {2, 1, 16, 16},
                "resnet18-headless", new int[] {2, 3, 32, 32}));
        Map<String, List<String>> mustHave = Map.of("unet-bilinear", List.of("Pad", "Resize", "Concat", "Slice"),
                "unet-transposed", List.of("ConvTranspose", "Concat"),
                "resnet18-headless", List.of("ReduceSum", "Div"));
        for (var e : models.entrySet()) {
            ModelProto p = OnnxExporter.toModel(e.getValue(), OnnxExportOptions.defaults(), Tensor.randn(g, shapes.get(e.getKey())));
            Map<String, Integer> counts = opCounts(p);
            for (String op : mustHave.get(e.getKey())) assertTrue(counts.containsKey(op), e.getKey() + " lacks " + op + ": " + counts);
            assertStateExported(e.getValue(), initializers(p), List.of("num_batches_tracked"));
        }
    }
}
