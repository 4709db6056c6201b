package dev.ember.nn.zoo;

import dev.ember.core.Tensor;
import dev.ember.core.random.Generator;
import dev.ember.nn.Parameter;
import dev.ember.nn.io.SafeTensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static dev.ember.core.testing.TensorAssert.assertClose;
import static dev.ember.core.testing.TensorAssert.assertShape;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ZooTest {

    @TempDir
    Path dir;

    @Test
    void resnetParameterCountsAndNamesMatchTorchvision() {
        ResNet r18 = ResNet.resnet18(3, 1000, Generator.seeded(0));
        assertEquals(11_689_512L, r18.parameterCount());
        assertEquals(21_797_672L, ResNet.resnet34(3, 1000, Generator.seeded(0)).parameterCount());
        Map<String, Tensor> sd = r18.stateDict();
        // torchvision resnet18 state dict: 122 tensors (62 parameters + 3 buffers for each of 20 BNs)
        assertEquals(122, sd.size());
        assertArrayEquals(new int[] {64, 3, 7, 7}, sd.get("conv1.weight").shape());
        assertArrayEquals(new int[] {64}, sd.get("bn1.running_mean").shape());
        assertArrayEquals(new int[] {64, 64, 3, 3}, sd.get("layer1.0.conv1.weight").shape());
        assertArrayEquals(new int[] {128, 64, 1, 1}, sd.get("layer2.0.downsample.0.weight").shape());
        assertArrayEquals(new int[] {128}, sd.get("layer2.0.downsample.1.running_var").shape());
        assertArrayEquals(new int[] {512, 512, 3, 3}, sd.get("layer4.1.conv2.weight").shape());
        assertArrayEquals(new int[] {1000, 512}, sd.get("fc.weight").shape());
        assertNotNull(sd.get("layer3.1.bn2.num_batches_tracked"));
        assertFalse(sd.containsKey("layer1.0.downsample.0.weight"));
        assertArrayEquals(new int[] {64, 1, 7, 7}, ResNet.resnet18(1, 5).stateDict().get("conv1.weight").shape());
        // convolutions: Kaiming normal, fan out, ReLU gain
        double std = Math.sqrt(2.0 / (512 * 9));
        double[] w = sd.get("layer4.0.conv2.weight").toDoubleArray();
        double sq = 0;
        for (double v : w) sq += v * v;
        assertEquals(std, Math.sqrt(sq / w.length), 0.02 * std);
    }

    @Test
    void resnet18ForwardAndBackwardOnSmallImages() {
        ResNet net = ResNet.resnet18(3, 10, Generator.seeded(1));
        Tensor x = Tensor.randn(Generator.seeded(2), 2, 3, 32, 32);
        Tensor y = net.forward(x);
        assertShape(y, 2, 10);
        y.sum().backward();
        for (var e : net.namedParameters().entrySet()) assertNotNull(e.getValue().grad(), e.getKey());
        try (var off = Tensor.noGrad()) {
            net.eval();
            assertShape(net.forward(x.narrow(0, 0, 1)), 1, 10);
            ResNet r34 = ResNet.resnet34(1, 3, Generator.seeded(1));
            r34.eval();
            assertShape(r34.forward(Tensor.randn(Generator.seeded(3), 1, 1, 32, 32)), 1, 3);
        }
    }

    /** Independent count: each double conv is two bias-free 3x3 convs and two BNs. */
    private static long doubleConv(long in, long out) { return 9 * in * out + 4 * out + 9 * out * out; }

    @Test
    void unetParameterCountShapesAndGradients() {
        int w = 8;
        UNet net = new UNet(3, 1, 3, w, true, Generator.seeded(4));
        long expect = doubleConv(3, 8) + doubleConv(8, 16) + doubleConv(16, 32) + doubleConv(32, 64)
                + doubleConv(64 + 32, 32) + doubleConv(32 + 16, 16) + doubleConv(16 + 8, 8) + 8 * 1 + 1;
        assertEquals(expect, net.parameterCount());
        UNet tconv = new UNet(3, 1, 3, w, false, Generator.seeded(4));
        long expectT = doubleConv(3, 8) + doubleConv(8, 16) + doubleConv(16, 32) + doubleConv(32, 64)
                + (64 * 32 * 4 + 32) + doubleConv(64, 32) + (32 * 16 * 4 + 16) + doubleConv(32, 16) + (16 * 8 * 4 + 8) + doubleConv(16, 8) + 9;
        assertEquals(expectT, tconv.parameterCount());
        assertTrue(tconv.stateDict().containsKey("up.0.upconv.weight"));
        assertTrue(net.stateDict().containsKey("down.2.1.3.weight"));

        Tensor x = Tensor.randn(Generator.seeded(5), 2, 3, 20, 27);   // not a multiple of 2^3: padded and cropped
        Tensor y = net.forward(x);
        assertShape(y, 2, 1, 20, 27);
        y.mean().backward();
        for (var e : net.namedParameters().entrySet()) assertNotNull(e.getValue().grad(), e.getKey());
        assertShape(tconv.forward(Tensor.randn(Generator.seeded(6), 1, 3, 16, 16)), 1, 1, 16, 16);
        assertThrows(IllegalArgumentException.class, () -> net.forward(Tensor.zeros(1, 2, 16, 16)));
    }

    @Test
    void resnetUnetRunsAndLoadsTorchvisionEncoderWeights() throws Exception {
        ResNetUNet net = new ResNetUNet(3, 2, Generator.seeded(7));
        assertTrue(net.stateDict().containsKey("encoder.layer2.0.downsample.0.weight"));
        assertFalse(net.stateDict().containsKey("encoder.fc.weight"));
        Tensor x = Tensor.randn(Generator.seeded(8), 2, 3, 32, 32);
        Tensor y = net.forward(x);
        assertShape(y, 2, 2, 32, 32);
        y.sum().backward();
        for (var e : net.namedParameters().entrySet()) assertNotNull(e.getValue().grad(), e.getKey());
        try (var off = Tensor.noGrad()) {
            net.eval();
            assertShape(net.forward(Tensor.randn(Generator.seeded(9), 1, 3, 20, 36)), 1, 2, 20, 36);   // padded to 32 x 64, cropped
        }

        // a torchvision resnet18 (with its fc) written to safetensors loads into the encoder
        ResNet tv = ResNet.resnet18(3, 1000, Generator.seeded(10));
        Path file = dir.resolve("resnet18.safetensors");
        SafeTensors.saveModule(tv, file);
        net.loadEncoder(file);
        assertArrayEquals(tv.stateDict().get("layer3.1.conv1.weight").toFloatArray(),
                net.stateDict().get("encoder.layer3.1.conv1.weight").toFloatArray());

        Map<String, Tensor> partial = new LinkedHashMap<>(tv.stateDict());
        partial.remove("layer1.0.bn1.weight");
        SafeTensors.save(partial, file, null);
        var e = assertThrows(IllegalArgumentException.class, () -> net.loadEncoder(file));
        assertTrue(e.getMessage().contains("missing: [layer1.0.bn1.weight]"), e.getMessage());
    }

    @Test
    void smallCnnAndMlpShapes() {
        SmallCnn cnn = new SmallCnn(1, 10, 28, Generator.seeded(11));
        assertArrayEquals(new int[] {128, 9216}, cnn.stateDict().get("fc1.weight").shape());
        assertEquals(320 + 18496 + 1179776 + 1290, cnn.parameterCount());   // PyTorch's MNIST example: 1,199,882
        assertShape(cnn.forward(Tensor.randn(Generator.seeded(12), 2, 1, 28, 28)), 2, 10);
        SmallCnn rgb = new SmallCnn(3, 4, 16, Generator.seeded(13));
        assertShape(rgb.forward(Tensor.randn(Generator.seeded(14), 3, 3, 16, 16)), 3, 4);
        Mlp mlp = new Mlp(Generator.seeded(15), 4, 8, 8, 2);
        assertEquals(java.util.List.of("0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias"),
                java.util.List.copyOf(mlp.stateDict().keySet()));
        assertShape(mlp.forward(Tensor.zeros(5, 4)), 5, 2);
    }

    @Test
    void parametersAreLeavesThatRequireGrad() {
        for (Parameter p : new Mlp(2, 3).parameters()) {
            assertTrue(p.data().requiresGrad());
            assertClose(p.data(), p.data(), 0);
        }
    }
}
