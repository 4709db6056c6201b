package dev.ember.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * CUDA C compiled while the program runs, for the GPU it runs on, and loaded through the driver:
 * kernels specialised to values known only at run time (a {@link FusedChain}'s steps), or for a GPU
 * newer than the architectures the shipped fatbins hold. Compiled modules are cached per source
 * and options for the life of the device.
 *
 * <pre>{@code
 * RuntimeKernels rk = device.runtimeKernels();      // throws naming the files searched without NVRTC
 * RuntimeKernels.Module m = rk.compile("scale.cu",
 *     "extern \"C\" __global__ void scale(long long n, float *x) { ... }");
 * device.launchFunction(m.function("scale"), "scale", blocks, 1, 1, 256, 1, 1, 0, n, ptr);
 * }</pre>
 */
public final class RuntimeKernels {

    /** What to compile for: an {@code sm_XX} cubin when NVRTC knows the GPU, else the newest {@code compute_XX} PTX. */
    public record Target(String option, boolean cubin) {}

    /** A loaded module; {@link #function(String)} finds an {@code extern "C"} kernel in it. */
    public final class Module {
        private final MemorySegment handle;
        private final String name;
        private final Map<String, MemorySegment> functions = new HashMap<>();

        private Module(MemorySegment handle, String name) {
            this.handle = handle;
            this.name = name;
        }

        public synchronized MemorySegment function(String kernel) {
            return functions.computeIfAbsent(kernel, k -> {
                device.makeCurrent();
                return device.driver().moduleGetFunction(handle, k);
            });
        }

        @Override
        public String toString() { return "RuntimeKernels.Module[" + name + "]"; }
    }

    private final CudaDevice device;
    private final Nvrtc nvrtc;
    private final Map<String, Module> modules = new HashMap<>();
    private Target target;

    RuntimeKernels(CudaDevice device, Nvrtc nvrtc) {
        this.device = device;
        this.nvrtc = nvrtc;
    }

    public Nvrtc nvrtc() { return nvrtc; }

    /**
     * The target for a GPU of compute capability {@code cc} (for example 90) given the
     * {@code sm_XX} numbers NVRTC supports: that GPU's own cubin when supported, else PTX for the
     * newest architecture not above it, which the driver compiles for the GPU on load.
     */
    public static Target targetFor(int cc, int[] supported) {
        int best = -1;
        for (int s : supported) {
            if (s == cc) return new Target("--gpu-architecture=sm_" + cc, true);
            if (s < cc && s > best) best = s;
        }
        if (best < 0) {
            throw new UnsupportedOperationException("NVRTC supports " + java.util.Arrays.toString(supported)
                    + " but none at or below this GPU's compute capability " + cc / 10 + "." + cc % 10);
        }
        return new Target("--gpu-architecture=compute_" + best, false);
    }

    /** The target for this device, decided once. */
    public synchronized Target target() {
        if (target == null) target = targetFor(device.computeCapability(), nvrtc.supportedArchitectures());
        return target;
    }

    /**
     * Compiles {@code source} for this GPU (with {@code options} added, for example
     * {@code -use_fast_math}) and loads it; a compile error is an {@link Nvrtc.CompileException}
     * whose message holds NVRTC's log.
     */
    public synchronized Module compile(String name, String source, String... options) {
        Target t = target();
        List<String> opts = new ArrayList<>(List.of(t.option(), "--std=c++17"));
        opts.addAll(List.of(options));
        String key = name + '\0' + opts + '\0' + source;
        Module m = modules.get(key);
        if (m != null) return m;
        byte[] image = nvrtc.compile(source, name, opts, t.cubin());
        // the driver reads the image while loading; PTX must end in a NUL
        MemorySegment seg = Arena.global().allocate(image.length + 1L, 64);
        MemorySegment.copy(image, 0, seg, ValueLayout.JAVA_BYTE, 0, image.length);
        device.makeCurrent();
        m = new Module(device.driver().moduleLoadData(seg, name + (t.cubin() ? " (NVRTC cubin)" : " (NVRTC PTX)")), name);
        modules.put(key, m);
        return m;
    }
}
