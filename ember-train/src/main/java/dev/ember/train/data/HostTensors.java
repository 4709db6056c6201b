package dev.ember.train.data;

import dev.ember.core.DType;
import dev.ember.core.Device;
import dev.ember.core.Tensor;
import dev.ember.core.autograd.GradMode;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** Host-memory helpers shared by datasets and transforms: raw row copies that keep the dtype. */
final class HostTensors {
    private HostTensors() {}

    /** {@code t} on the CPU, contiguous, cut from the graph (data pipelines never need gradients). */
    static Tensor hostContiguous(Tensor t) {
        try (var g = GradMode.disable()) {
            return t.detach().to(Device.CPU).contiguous();
        }
    }

    /** Byte offset of element 0 of a host tensor. */
    static long base(Tensor t) {
        return t.offset() * t.dtype().byteSize();
    }

    /** The elements of a host tensor as raw bytes (its own dtype, native order). */
    static byte[] bytes(Tensor t) {
        Tensor c = hostContiguous(t);
        int n = Math.toIntExact(c.numel() * c.dtype().byteSize());
        byte[] out = new byte[n];
        MemorySegment.copy(c.segment(), ValueLayout.JAVA_BYTE, base(c), out, 0, n);
        return out;
    }

    /** A new CPU tensor of {@code dtype} and {@code shape} holding {@code data} (raw bytes). */
    static Tensor fromBytes(byte[] data, DType dtype, int... shape) {
        Tensor t = Tensor.empty(dtype, Device.CPU, shape);
        long need = t.numel() * dtype.byteSize();
        if (need != data.length) {
            throw new IllegalArgumentException("fromBytes: " + data.length + " bytes for " + need + " needed");
        }
        MemorySegment.copy(data, 0, t.segment(), ValueLayout.JAVA_BYTE, 0, data.length);
        return t;
    }
}
