package dev.ember.cpu;

import dev.ember.core.Device;
import dev.ember.core.backend.Allocator;
import dev.ember.core.backend.Backend;
import dev.ember.core.backend.DeviceInfo;
import dev.ember.core.backend.KernelTable;
import dev.ember.core.memory.Storage;
import dev.ember.cpu.kernels.CpuKernels;

import java.lang.foreign.MemorySegment;
import java.util.List;

/** The pure-Java reference backend: Vector API kernels over off-heap memory, one thread pool. */
public final class CpuBackend implements Backend {

    private final CpuAllocator allocator = new CpuAllocator();
    private final KernelTable kernels = CpuKernels.table();

    @Override public String deviceType() { return "cpu"; }
    @Override public boolean isAvailable() { return true; }
    @Override public String unavailableReason() { return ""; }
    @Override public int priority() { return 0; }

    // Backends.forDevice asks for the device list on every tensor allocation and kernel launch:
    // building it anew read /proc/cpuinfo each time, several microseconds per op.
    private volatile List<DeviceInfo> devices;

    @Override
    public List<DeviceInfo> devices() {
        List<DeviceInfo> d = devices;
        if (d == null) {
            d = List.of(new DeviceInfo(Device.CPU, CpuInfo.modelName(),
                    CpuParallel.threads() + " threads, SIMD " + CpuInfo.simdBits() + "-bit ("
                            + CpuInfo.simdBits() / 32 + " f32 lanes)"));
            devices = d;
        }
        return d;
    }

    @Override
    public Allocator allocator(Device device) { return allocator; }

    @Override
    public KernelTable kernels() { return kernels; }

    @Override
    public void copyFromHost(MemorySegment src, long srcOffset, Storage dst, long dstOffset, long bytes) {
        MemorySegment.copy(src, srcOffset, dst.segment(), dstOffset, bytes);
    }

    @Override
    public void copyToHost(Storage src, long srcOffset, MemorySegment dst, long dstOffset, long bytes) {
        MemorySegment.copy(src.segment(), srcOffset, dst, dstOffset, bytes);
    }

    @Override
    public void synchronize(Device device) {
        // CPU kernels are synchronous
    }
}
