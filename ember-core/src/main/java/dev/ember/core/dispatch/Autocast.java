package dev.ember.core.dispatch;

import dev.ember.core.DType;

import java.util.Map;
import java.util.Set;

/**
 * Mixed precision as a dispatch layer: inside {@code Autocast.enable(DType.BF16)} ops listed as
 * {@link Policy#LOWER} run in the low-precision dtype and ops listed as {@link Policy#F32} in f32.
 * The policy is a table keyed by op name, as in PyTorch's autocast lists.
 *
 * <pre>{@code
 * try (var ac = Autocast.enable(DType.F16)) {
 *     Tensor logits = model.forward(x);   // matmuls and convolutions in f16
 * }
 * }</pre>
 */
public final class Autocast {

    public enum Policy { LOWER, F32 }

    private static final Map<String, Policy> POLICY;
    static {
        var m = new java.util.HashMap<String, Policy>();
        for (String op : Set.of("matmul", "linear", "conv1d", "conv2d", "conv_transpose2d")) m.put(op, Policy.LOWER);
        for (String op : Set.of("softmax", "log_softmax", "cross_entropy", "nll_loss", "mse_loss", "l1_loss",
                "binary_cross_entropy", "binary_cross_entropy_with_logits", "layer_norm", "group_norm", "batch_norm",
                "sum", "mean", "var", "norm", "logsumexp", "exp", "log", "pow", "softplus")) m.put(op, Policy.F32);
        POLICY = Map.copyOf(m);
    }

    private static final ThreadLocal<DType[]> ACTIVE = ThreadLocal.withInitial(() -> new DType[1]);

    private Autocast() {}

    /** Runs the ops of the policy table in {@code lowPrecision} (f16 or bf16) until the guard closes. */
    public static Guard enable(DType lowPrecision) {
        if (!lowPrecision.isHalf()) throw new IllegalArgumentException("autocast dtype must be f16 or bf16, got " + lowPrecision);
        return set(lowPrecision);
    }

    public static Guard disable() { return set(null); }

    private static Guard set(DType d) {
        DType[] cell = ACTIVE.get();
        DType prev = cell[0];
        cell[0] = d;
        return () -> cell[0] = prev;
    }

    /** The active low-precision dtype, or null. */
    public static DType active() { return ACTIVE.get()[0]; }

    public static Policy policy(String opName) { return POLICY.get(opName); }

    /** Restores the previous autocast state on close. */
    public interface Guard extends AutoCloseable {
        @Override
        void close();
    }
}
