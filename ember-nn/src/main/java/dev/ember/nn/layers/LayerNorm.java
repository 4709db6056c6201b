package dev.ember.nn.layers;

import dev.ember.core.Tensor;
import dev.ember.core.ops.NormOps;
import dev.ember.nn.Module;
import dev.ember.nn.Parameter;

import java.util.Arrays;

/**
 * Layer normalisation over the trailing {@code normalizedShape} dimensions, with elementwise
 * {@code weight} (ones) and {@code bias} (zeros) of that shape, as PyTorch's {@code nn.LayerNorm}.
 *
 * <pre>{@code
 * LayerNorm ln = new LayerNorm(512);
 * Tensor y = ln.forward(x);   // x [B, T, 512]
 * }</pre>
 */
public class LayerNorm extends Module {

    private final int[] normalizedShape;
    private final double eps;
    private final Parameter weight, bias;

    public LayerNorm(int... normalizedShape) { this(normalizedShape, 1e-5, true, true); }

    public LayerNorm(int[] normalizedShape, double eps, boolean elementwiseAffine, boolean bias) {
        if (normalizedShape.length == 0) throw new IllegalArgumentException("LayerNorm: normalizedShape must not be empty");
        for (int s : normalizedShape) {
            if (s <= 0) throw new IllegalArgumentException("LayerNorm: normalizedShape " + Arrays.toString(normalizedShape) + " must be positive");
        }
        this.normalizedShape = normalizedShape.clone();
        this.eps = eps;
        this.weight = elementwiseAffine ? parameter("weight", Tensor.ones(normalizedShape)) : null;
        this.bias = elementwiseAffine && bias ? parameter("bias", Tensor.zeros(normalizedShape)) : null;
    }

    @Override
    public Tensor forward(Tensor x) {
        return NormOps.layerNorm(x, normalizedShape, weight == null ? null : weight.data(), bias == null ? null : bias.data(), eps);
    }

    /** The scale, or null when not affine. */
    public Parameter weight() { return weight; }

    /** The shift, or null. */
    public Parameter bias() { return bias; }
}
