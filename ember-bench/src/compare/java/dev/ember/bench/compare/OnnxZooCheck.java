package dev.ember.bench.compare;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.ember.core.Tensor;
import dev.ember.core.ops.PadMode;
import dev.ember.core.random.Generator;
import dev.ember.infer.onnx.OnnxExportOptions;
import dev.ember.infer.onnx.OnnxExporter;
import dev.ember.nn.Module;
import dev.ember.nn.layers.AdaptiveAvgPool2d;
import dev.ember.nn.layers.AvgPool2d;
import dev.ember.nn.layers.Conv2d;
import dev.ember.nn.layers.Flatten;
import dev.ember.nn.layers.GELU;
import dev.ember.nn.layers.GroupNorm;
import dev.ember.nn.layers.LayerNorm;
import dev.ember.nn.layers.LeakyReLU;
import dev.ember.nn.layers.Linear;
import dev.ember.nn.layers.Sequential;
import dev.ember.nn.layers.SiLU;
import dev.ember.nn.layers.Sigmoid;
import dev.ember.nn.layers.Softplus;
import dev.ember.nn.layers.Tanh;
import dev.ember.nn.layers.Upsample;
import dev.ember.nn.zoo.Mlp;
import dev.ember.nn.zoo.ResNet;
import dev.ember.nn.zoo.ResNetUNet;
import dev.ember.nn.zoo.SmallCnn;
import dev.ember.nn.zoo.UNet;

import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Exports every model of the zoo (and a stack of the other layers) and runs each file in ONNX
 * Runtime at the traced batch size and another one, comparing with Ember's forward. Exits
 * non-zero when any output differs by more than 1e-4 of its scale. The optional argument is the
 * opset (default 17).
 *
 * <pre>{@code
 * java --add-modules jdk.incubator.vector -cp ember-bench/target/ember-bench.jar dev.ember.bench.compare.OnnxZooCheck 21
 * }</pre>
 */
public final class OnnxZooCheck {

    private OnnxZooCheck() {}

    private record Case(Module model, int[] shape) {}

    /** Tensor-level ops the zoo does not use: 3-d linear, softmaxes, views, reductions, comparisons, padding, a captured constant. */
    static final class Ops extends Module {
        private final Linear fc;
        private final Tensor mix;

        Ops(Generator g) {
            fc = register("fc", new Linear(8, 6, true, g));
            mix = Tensor.randn(g, 4, 4);
        }

        @Override
        public Tensor forward(Tensor x) {                                     // [N, 4, 8]
            Tensor y = fc.forward(x);                                          // [N, 4, 6]
            y = y.softmax(-1).add(y.logSoftmax(1)).permute(0, 2, 1);           // [N, 6, 4]
            Tensor z = y.matmul(mix);
            z = z.clamp(-1, 1).sub(z.pow(2).div(3)).maximum(z.mul(0.5)).minimum(z.exp().add(z.square()));
            z = Tensor.where(z.gt(0), z, z.neg().mul(z.le(-0.5).to(z.dtype())));
            Tensor s = z.amax(new int[] {2}, true).add(z.amin(new int[] {2}, true)).add(z.logsumexp(new int[] {2}, true));
            z = z.sub(s).abs().add(1).rsqrt().add(z.sigmoid().reciprocal().log());
            Tensor e = z.select(1, 0).unsqueeze(1).expand(-1, 6, -1);         // [N, 6, 4]
            z = z.add(e).pad(new int[] {1, 2}, PadMode.REFLECT, 0).pad(new int[] {1, 0}, PadMode.REPLICATE, 0);
            z = z.slice(2, 1, 6, 2).sum(new int[] {1}, false).add(z.mean(new int[] {1, 2}, true).squeeze(1));
            return Tensor.cat(new Tensor[] {z, z.transpose(0, 1).transpose(0, 1).sin().cos()}, 1).flatten(1, -1);
        }
    }

    public static void main(String[] args) throws Exception {
        OnnxExportOptions options = OnnxExportOptions.defaults().withOpset(args.length > 0 ? Integer.parseInt(args[0]) : 17);
        Generator g = Generator.seeded(0);
        Map<String, Case> cases = new LinkedHashMap<>();
        cases.put("mlp", new Case(new Mlp(g, 20, 16, 8), new int[] {2, 20}));
        cases.put("small-cnn", new Case(new SmallCnn(1, 10, 12, g), new int[] {2, 1, 12, 12}));
        cases.put("resnet18", new Case(ResNet.resnet18(3, 10, g), new int[] {2, 3, 32, 32}));
        cases.put("resnet34-headless", new Case(ResNet.resnet34(3, 0, g), new int[] {2, 3, 32, 32}));
        cases.put("unet-bilinear", new Case(new UNet(1, 2, 2, 4, true, g), new int[] {2, 1, 18, 18}));
        cases.put("unet-transposed", new Case(new UNet(1, 2, 2, 4, false, g), new int[] {2, 1, 16, 16}));
        cases.put("resnet-unet", new Case(new ResNetUNet(3, 1, g), new int[] {2, 3, 40, 40}));
        cases.put("ops", new Case(new Ops(g), new int[] {2, 4, 8}));
        cases.put("layers", new Case(new Sequential(new Conv2d(3, 8, 3, 1, 1, true, g), new GELU(), new AvgPool2d(2), new LeakyReLU(0.1),
                new SiLU(), new Tanh(), new Sigmoid(), Upsample.scale(2, Upsample.Mode.NEAREST, false), new GroupNorm(2, 8),
                new Softplus(), new Softplus(2, 20), new GELU(true), new AdaptiveAvgPool2d(2, 2), new Flatten(), new LayerNorm(32)),
                new int[] {2, 3, 8, 8}));

        OrtEnvironment env = OrtEnvironment.getEnvironment();
        System.out.println("# opset " + options.opset() + ", ONNX Runtime " + env.getVersion());
        boolean ok = true;
        for (var e : cases.entrySet()) {
            Module m = e.getValue().model();
            m.eval();
            int[] shape = e.getValue().shape();
            byte[] file = OnnxExporter.toModel(m, options, Tensor.randn(g, shape)).toByteArray();
            try (OrtSession.SessionOptions opts = new OrtSession.SessionOptions()) {
                opts.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
                try (OrtSession s = env.createSession(file, opts)) {
                    for (int batch : new int[] {shape[0], shape[0] + 1}) {
                        int[] sh = shape.clone();
                        sh[0] = batch;
                        Tensor x = Tensor.randn(g, sh);
                        float[] want;
                        try (var _ = Tensor.noGrad()) {
                            want = m.forward(x).toFloatArray();
                        }
                        float[] got;
                        try (OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(x.toFloatArray()),
                                Arrays.stream(sh).asLongStream().toArray()); OrtSession.Result r = s.run(Map.of("input", in))) {
                            got = ((OnnxTensor) r.get(0)).getFloatBuffer().array();
                        }
                        double diff = got.length == want.length ? 0 : Double.POSITIVE_INFINITY, scale = 0;
                        for (int i = 0; i < Math.min(got.length, want.length); i++) {
                            diff = Math.max(diff, Math.abs(want[i] - got[i]));
                            scale = Math.max(scale, Math.abs(want[i]));
                        }
                        boolean pass = diff <= 1e-4 * Math.max(scale, 1e-30);
                        ok &= pass;
                        System.out.printf("%s batch %d: max_abs_diff=%.3g scale=%.3g %s%n", e.getKey(), batch, diff, scale, pass ? "ok" : "FAIL");
                    }
                }
            }
        }
        if (!ok) System.exit(1);
    }
}
