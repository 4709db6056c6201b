package dev.ember.infer.optimize;

import dev.ember.core.Tensor;
import dev.ember.nn.Module;

import java.util.EnumSet;
import java.util.Set;

/**
 * Optimizes a model for inference: traces its forward once and rewrites the op calls as
 * ONNX Runtime does for CPU inference. Evaluation-mode batch norms are folded into the
 * convolutions that feed them ({@code w' = w * g / sqrt(var + eps)},
 * {@code b' = (b - mean) * g / sqrt(var + eps) + beta}), and a convolution's following residual
 * add and ReLU become one {@code conv2d_fused} call, which a backend runs as the convolution and
 * one pass over its output. Other ops are replayed as they were traced.
 *
 * <pre>{@code
 * ResNet net = ResNet.resnet18(3, 1000);
 * InferenceModel m = InferenceOptimizer.optimize(net, Tensor.randn(Generator.seeded(0), 2, 3, 224, 224));
 * try (var scope = MemoryScope.open("infer")) {
 *     Tensor logits = m.forward(images);    // [N, 1000], the same as net.eval().forward(images)
 * }
 * }</pre>
 *
 * <p>The forward runs once on the example input, in evaluation mode and without gradients (the
 * modules' modes are restored afterwards), while a {@link dev.ember.core.dispatch.Tracer}
 * records each outermost op call; the model itself is not changed and the result holds copies of
 * the weights. What a trace cannot capture, because it records the one path the example took:
 * <ul>
 *   <li>Java control flow ({@code if}, loops, early returns) that depends on the input's values,
 *       on the batch size or on anything that changes between calls: the branch taken while
 *       tracing is replayed every time;</li>
 *   <li>tensors made from sizes of the input ({@code Tensor.zeros(x.shape(0), 10)}) and anything
 *       computed from constants alone: they are frozen at their traced values (at another batch
 *       size the mismatch is an error naming the op);</li>
 *   <li>in-place updates ({@code add_}, {@code relu_}) of computed values and tensors that share a
 *       computed value's memory without an op call ({@code detach()}): the capture refuses them;</li>
 *   <li>side effects of the forward (running statistics in training, logging, random draws
 *       that should differ per call).</li>
 * </ul>
 * A reshape or expand keeps the batch when its dimension 0 is the input's; other dimensions are
 * fixed as traced. Trace with a batch of at least 2 so that the batch dimension cannot be
 * mistaken for a size-1 dimension.
 */
public final class InferenceOptimizer {

    /** The rewrites {@link #optimize(Module, Tensor, Set)} can apply. */
    public enum Pass {
        /** Fold evaluation-mode batch norm into the preceding conv2d's weights and bias. */
        FOLD_BATCH_NORM,
        /** Fuse a conv2d's following residual add and ReLU into conv2d_fused. */
        FUSE_CONV_EPILOGUE
    }

    private InferenceOptimizer() {}

    /** Traces {@code model.forward(exampleInput)} and applies every pass. */
    public static InferenceModel optimize(Module model, Tensor exampleInput) {
        return optimize(model, exampleInput, EnumSet.allOf(Pass.class));
    }

    /** Traces {@code model.forward(exampleInput)} and applies the given passes (none: the trace replayed as it ran). */
    public static InferenceModel optimize(Module model, Tensor exampleInput, Set<Pass> passes) {
        Graph g = GraphCapture.capture(model, exampleInput);
        if (passes.contains(Pass.FOLD_BATCH_NORM)) BatchNormFolding.run(g);
        if (passes.contains(Pass.FUSE_CONV_EPILOGUE)) ConvEpilogueFusion.run(g);
        return new InferenceModel(model.getClass().getSimpleName(), g);
    }
}
