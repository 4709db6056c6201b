package dev.ember.core.ops;

import dev.ember.core.DType;
import dev.ember.core.Device;
import dev.ember.core.Shapes;
import dev.ember.core.Tensor;
import dev.ember.core.autograd.Autograd;
import dev.ember.core.dispatch.Dispatcher;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/** Dtype conversion, copies and moves between devices. */
public final class TensorOps {

    private TensorOps() {}

    /** Converts to the dtype in the attributes; also the contiguous copy (same dtype). Any input strides. */
    public static final Op<DType> CAST = new Op<>("cast") {
        @Override
        public OutputSpec[] infer(Tensor[] in, DType to) {
            return new OutputSpec[] {new OutputSpec(in[0].shape(), to)};
        }

        @Override
        public boolean acceptsStridedInputs() { return true; }

        @Override
        public Tensor[] vjp(VjpContext<DType> c) {
            return new Tensor[] {c.input(0).dtype().isFloating() ? c.grad(0).to(c.input(0).dtype()) : null};
        }
    };

    /**
     * Writes the input, broadcast and converted, into an existing tensor of any strides (the
     * attributes give the destination's shape and dtype). Used by in-place ops and {@code copy_};
     * called by the dispatcher directly, never recorded by autograd.
     */
    public static final Op<OutputSpec> COPY_INTO = new Op<>("copy_into") {
        @Override
        public OutputSpec[] infer(Tensor[] in, OutputSpec dst) {
            int[] b = Shapes.broadcast("copy_", in[0].shape(), dst.shape());
            if (!Arrays.equals(b, dst.shape())) {
                throw new IllegalArgumentException("copy_: source of shape " + Arrays.toString(in[0].shape())
                        + " cannot be broadcast to the destination's shape " + Arrays.toString(dst.shape()));
            }
            return new OutputSpec[] {dst};
        }

        @Override
        public boolean differentiable() { return false; }

        @Override
        public boolean acceptsStridedInputs() { return true; }
    };

    /** Moves a tensor between devices; the gradient moves back. */
    public static final Op<Device> TO_DEVICE = new Op<>("to_device") {
        @Override
        public OutputSpec[] infer(Tensor[] in, Device d) {
            return new OutputSpec[] {new OutputSpec(in[0].shape(), in[0].dtype())};
        }

        @Override
        public Tensor[] vjp(VjpContext<Device> c) {
            return new Tensor[] {c.grad(0).to(c.input(0).device())};
        }
    };

    public static Tensor cast(Tensor t, DType to) { return Dispatcher.call1(CAST, to, t); }

    /** A contiguous copy with its own memory (differentiable); also how contiguous() copies. */
    public static Tensor copy(Tensor t) { return Dispatcher.call1(CAST, t.dtype(), t); }

    /** Copies through host memory; device backends may later add direct peer copies. */
    public static Tensor toDevice(Tensor t, Device target) {
        Tensor src;
        try (var g = Tensor.noGrad()) {
            src = t.contiguous();
        }
        long bytes = t.numel() * t.dtype().byteSize();
        Tensor dst = Tensor.empty(t.dtype(), target, t.shape());
        if (bytes > 0) {
            long srcOff = src.offset() * t.dtype().byteSize();
            if (src.device().isCpu()) {
                dst.backend().copyFromHost(src.segment(), srcOff, dst.storage(), 0, bytes);
            } else if (target.isCpu()) {
                src.backend().copyToHost(src.storage(), srcOff, dst.segment(), 0, bytes);
            } else {
                try (Arena a = Arena.ofConfined()) {
                    MemorySegment host = a.allocate(bytes, 64);
                    src.backend().copyToHost(src.storage(), srcOff, host, 0, bytes);
                    dst.backend().copyFromHost(host, 0, dst.storage(), 0, bytes);
                }
            }
        }
        if (Autograd.shouldRecord(TO_DEVICE, new Tensor[] {t})) {
            Autograd.record(TO_DEVICE, target, new Tensor[] {t}, new Tensor[] {dst});
        }
        return dst;
    }
}
