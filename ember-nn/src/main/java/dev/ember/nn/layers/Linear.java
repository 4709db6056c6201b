package dev.ember.nn.layers;

import dev.ember.core.DType;
import dev.ember.core.Device;
import dev.ember.core.Tensor;
import dev.ember.core.ops.LinalgOps;
import dev.ember.core.random.Generator;
import dev.ember.nn.Init;
import dev.ember.nn.Module;
import dev.ember.nn.Parameter;

import java.util.Arrays;

/**
 * {@code y = x W^T + b} over the last dimension: weight {@code [out, in]}, bias {@code [out]};
 * initialised as PyTorch's {@code nn.Linear}.
 *
 * <pre>{@code
 * Linear fc = new Linear(784, 10);
 * Tensor logits = fc.forward(images.flatten(1, -1));   // [N, 10]
 * }</pre>
 */
public class Linear extends Module {

    private final int inFeatures, outFeatures;
    private final Parameter weight, bias;

    public Linear(int inFeatures, int outFeatures) { this(inFeatures, outFeatures, true, Generator.global()); }

    public Linear(int inFeatures, int outFeatures, boolean bias) { this(inFeatures, outFeatures, bias, Generator.global()); }

    public Linear(int inFeatures, int outFeatures, boolean bias, Generator gen) {
        if (inFeatures < 0 || outFeatures < 0) {
            throw new IllegalArgumentException("Linear: features must be >= 0, got in " + inFeatures + ", out " + outFeatures);
        }
        this.inFeatures = inFeatures;
        this.outFeatures = outFeatures;
        this.weight = parameter("weight", Init.defaultWeight(Tensor.empty(DType.F32, Device.CPU, outFeatures, inFeatures), gen));
        this.bias = bias ? parameter("bias", Init.defaultBias(Tensor.zeros(outFeatures), weight.data().shape(), gen)) : null;
    }

    @Override
    public Tensor forward(Tensor x) {
        if (x.dim() == 0 || x.shape(-1) != inFeatures) {
            throw new IllegalArgumentException("Linear(" + inFeatures + " -> " + outFeatures + "): input of shape "
                    + Arrays.toString(x.shape()) + " must end in " + inFeatures + " features");
        }
        return LinalgOps.linear(x, weight.data(), bias == null ? null : bias.data());
    }

    public Parameter weight() { return weight; }

    /** The bias, or null when built without one. */
    public Parameter bias() { return bias; }

    public int inFeatures() { return inFeatures; }

    public int outFeatures() { return outFeatures; }
}
