package dev.ember.core.dispatch;

import dev.ember.core.DType;
import dev.ember.core.Device;
import dev.ember.core.Tensor;
import dev.ember.core.autograd.GradMode;
import dev.ember.core.backend.Kernel;
import dev.ember.core.ops.InPlaceOp;
import dev.ember.core.ops.Op;
import dev.ember.core.ops.OutputSpec;
import dev.ember.core.ops.TensorOps;

import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;

/**
 * The single entry point of every op call. The call passes through the layers in order:
 * autocast, tracing, decomposition of composite ops, autograd, and the device's kernel.
 *
 * <pre>{@code
 * Tensor[] out = Dispatcher.call(ElementwiseOps.ADD, NoAttrs.INSTANCE, a, b);
 * }</pre>
 */
public final class Dispatcher {

    private static final List<DispatchLayer> LAYERS = List.of(
            new AutocastLayer(), new TracingLayer(), new DecompositionLayer(), new AutogradLayer(), new KernelLayer());

    private Dispatcher() {}

    public static <A> Tensor[] call(Op<A> op, A attrs, Tensor... inputs) {
        return proceed(0, new OpCall(op, attrs, inputs));
    }

    /** The single output of an op with one output. */
    public static <A> Tensor call1(Op<A> op, A attrs, Tensor... inputs) {
        return call(op, attrs, inputs)[0];
    }

    private static Tensor[] proceed(int layer, OpCall call) {
        if (layer == LAYERS.size() - 1) return LAYERS.get(layer).call(call, null);
        return LAYERS.get(layer).call(call, c -> proceed(layer + 1, c));
    }

    /** Records every outermost op call into {@code tracer} until the guard closes. */
    public static Autocast.Guard trace(Tracer tracer) { return TracingLayer.begin(tracer); }

    /**
     * Runs {@code op} and writes its result into {@code target} (an in-place op such as
     * {@code add_}): the target's version is bumped so autograd can detect that a tensor it saved
     * was changed. Tensors that require grad can be changed in place only with grad mode off.
     */
    public static <A> Tensor callInPlace(Op<A> op, A attrs, Tensor target, Tensor... inputs) {
        if (GradMode.isEnabled()) {
            if (target.requiresGrad()) {
                throw new IllegalStateException(op.name() + "_: in-place change of a tensor that requires grad (shape "
                        + java.util.Arrays.toString(target.shape()) + ") under autograd; use the out-of-place "
                        + op.name() + "(...) or do it inside GradMode.disable()");
            }
            for (Tensor t : inputs) {
                if (t.requiresGrad()) {
                    throw new IllegalStateException(op.name() + "_: an input requires grad but the in-place result would "
                            + "not record it; use the out-of-place " + op.name() + "(...)");
                }
            }
        }
        Tensor result;
        try (var off = GradMode.disable()) {
            result = call1(op, attrs, inputs);
        }
        copyInto(target, result);
        return target;
    }

    /**
     * Runs an op that updates its leading tensors in place (see {@link InPlaceOp}): with the
     * device's kernel where there is one for the first target's dtype and every target is
     * contiguous, otherwise with the op's fallback written with other ops. Each target's version is
     * bumped. Under grad mode, targets that require grad are refused, as for {@code add_}.
     * <pre>{@code
     * Dispatcher.update(NormOps.BATCH_NORM_UPDATE_STATS, attrs, runningMean, runningVar, batchMean, batchVar);
     * }</pre>
     */
    public static <A> void update(InPlaceOp<A> op, A attrs, Tensor... tensors) {
        Device dev = KernelLayer.deviceOf(op, attrs, tensors);
        int n = op.targetCount(attrs);
        op.infer(tensors, attrs);
        Tensor[] targets = Arrays.copyOfRange(tensors, 0, n), inputs = Arrays.copyOfRange(tensors, n, tensors.length);
        if (GradMode.isEnabled()) {
            for (Tensor t : targets) {
                if (t.requiresGrad()) {
                    throw new IllegalStateException(op.name() + ": in-place update of a tensor that requires grad (shape "
                            + Arrays.toString(t.shape()) + ") under autograd; do it inside GradMode.disable()");
                }
            }
        }
        Kernel<A> k = dev.backend().kernels().find(op, op.kernelDType(tensors, null));
        boolean direct = k != null && op.kernelAccepts(tensors, attrs);
        for (Tensor t : targets) direct &= t.isContiguous();
        if (!direct) {
            try (var off = GradMode.disable()) {
                op.fallback(targets, inputs, attrs);
            }
            return;
        }
        for (int i = 0; i < inputs.length; i++) if (!inputs[i].isContiguous()) inputs[i] = contiguousCopy(inputs[i]);
        Profiler profiler = Profiler.active();
        long t0 = profiler == null ? 0 : System.nanoTime();
        k.run(targets, inputs, attrs);
        if (profiler != null) profiler.record(op, tensors, System.nanoTime() - t0);
        IdentityHashMap<Object, Boolean> bumped = new IdentityHashMap<>();
        for (Tensor t : targets) if (bumped.put(t.storage(), true) == null) t.storage().bumpVersion();
    }

    /** Copies {@code src} (broadcast and converted to the target's dtype) into {@code dst}, any strides. */
    public static void copyInto(Tensor dst, Tensor src) {
        if (!src.device().equals(dst.device())) src = src.to(dst.device());
        Kernel<OutputSpec> k = dst.device().backend().kernels().find(TensorOps.COPY_INTO, dst.dtype());
        if (k == null) throw new UnsupportedOperationException("backend " + dst.device() + " has no copy kernel for " + dst.dtype());
        TensorOps.COPY_INTO.infer(new Tensor[] {src}, new OutputSpec(dst.shape(), dst.dtype()));
        k.run(new Tensor[] {dst}, new Tensor[] {src}, new OutputSpec(dst.shape(), dst.dtype()));
        dst.storage().bumpVersion();
    }

    /** A contiguous copy made by the kernel layer directly (no autograd record, no tracing). */
    static Tensor contiguousCopy(Tensor t) {
        return castKernel(t, t.dtype());
    }

    /** A dtype conversion made by the kernel layer directly (no autograd record, no tracing). */
    static Tensor castKernel(Tensor t, DType to) {
        return KernelLayer.run(castOp(), to, new Tensor[] {t})[0];
    }

    @SuppressWarnings("unchecked")
    private static Op<Object> castOp() { return (Op<Object>) (Op<?>) TensorOps.CAST; }
}
