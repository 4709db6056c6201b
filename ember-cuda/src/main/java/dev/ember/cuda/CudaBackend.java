package dev.ember.cuda;

import dev.ember.core.Device;
import dev.ember.core.backend.Allocator;
import dev.ember.core.backend.Backend;
import dev.ember.core.backend.DeviceInfo;
import dev.ember.core.backend.KernelTable;
import dev.ember.core.memory.MemoryStats;
import dev.ember.core.memory.Storage;
import dev.ember.cuda.kernels.CudaKernels;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * NVIDIA GPUs through the CUDA driver API, found and bound at first use without JNI or a native
 * build. When it cannot run, {@link #unavailableReason()} says exactly why: which library was
 * looked for where, a driver too old, or no device.
 *
 * <pre>{@code
 * Backend cuda = Backends.ofType("cuda");
 * if (!cuda.isAvailable()) System.out.println(cuda.unavailableReason());
 * }</pre>
 */
public final class CudaBackend implements Backend {

    private final CudaLibraries libraries;
    private volatile State state;
    private volatile KernelTable kernels;
    private final Map<CudaLibraries.Library, CudaLibraries.Found> found = new ConcurrentHashMap<>();

    private record State(CudaDriver driver, String libraryLocation, int driverVersion, List<CudaDevice> devices,
                         List<DeviceInfo> infos, String reason) {}

    /** The backend the service loader makes: libraries found as {@link CudaLibraries#fromEnvironment()} says. */
    public CudaBackend() { this(CudaLibraries.fromEnvironment()); }

    /** A backend that searches as {@code libraries} says (tests point it at a stand-in driver). */
    public CudaBackend(CudaLibraries libraries) { this.libraries = libraries; }

    @Override public String deviceType() { return "cuda"; }
    @Override public int priority() { return 100; }

    @Override public boolean isAvailable() { return state().reason == null; }

    @Override
    public String unavailableReason() {
        String r = state().reason;
        return r == null ? "" : r;
    }

    @Override public List<DeviceInfo> devices() { return state().infos; }

    /** The search for {@code lib} (cuBLAS, cuBLASLt, cuDNN, NVRTC), done once per backend. */
    public CudaLibraries.Found library(CudaLibraries.Library lib) { return found.computeIfAbsent(lib, libraries::find); }

    /**
     * Which of the optional libraries were found, for {@code ember devices}, for example
     * {@code cuBLAS yes, cuBLASLt yes, cuDNN no, NVRTC no}.
     */
    public String librarySummary() {
        StringBuilder sb = new StringBuilder();
        for (CudaLibraries.Library l : List.of(CudaLibraries.CUBLAS, CudaLibraries.CUBLAS_LT, CudaLibraries.CUDNN, CudaLibraries.NVRTC)) {
            if (!sb.isEmpty()) sb.append(", ");
            sb.append(l.what().replace(" 9", "")).append(library(l).isPresent() ? " yes" : " no");
        }
        return sb.toString();
    }

    /** The CUDA driver version, for example 13000, or 0 when unavailable. */
    public int driverVersion() { return state().driverVersion; }

    /** The bound driver; throws with the reason when the backend is unavailable. */
    public CudaDriver driver() { return usable().driver; }

    /** Ember's view of GPU {@code index}. */
    public CudaDevice device(int index) {
        List<CudaDevice> ds = usable().devices;
        if (index < 0 || index >= ds.size()) {
            throw new IllegalArgumentException("cuda:" + index + " does not exist: " + ds.size() + " CUDA device(s)");
        }
        return ds.get(index);
    }

    public CudaDevice device(Device d) { return device(d.index()); }

    @Override public Allocator allocator(Device device) { return device(device).allocator(); }

    /** Memory of one GPU as the caching allocator sees it. */
    public MemoryStats memoryStats(Device device) { return device(device).allocator().stats(); }

    @Override
    public KernelTable kernels() {
        KernelTable k = kernels;
        if (k == null) {
            synchronized (this) {
                if (kernels == null) kernels = CudaKernels.table(this);
                k = kernels;
            }
        }
        return k;
    }

    @Override
    public void copyFromHost(MemorySegment src, long srcOffset, Storage dst, long dstOffset, long bytes) {
        if (bytes == 0) return;
        device(dst.device()).copyFromHost(src, srcOffset, dst.segment().address() + dstOffset, bytes);
    }

    @Override
    public void copyToHost(Storage src, long srcOffset, MemorySegment dst, long dstOffset, long bytes) {
        if (bytes == 0) return;
        device(src.device()).copyToHost(src.segment().address() + srcOffset, dst, dstOffset, bytes);
    }

    @Override
    public void synchronize(Device device) { device(device).synchronize(); }

    private State usable() {
        State s = state();
        if (s.reason != null) throw new IllegalStateException("CUDA is not usable: " + s.reason);
        return s;
    }

    private State state() {
        State s = state;
        if (s == null) {
            synchronized (this) {
                if (state == null) state = probe();
                s = state;
            }
        }
        return s;
    }

    private State probe() {
        CudaLibraries.Found lib = libraries.find(CudaLibraries.DRIVER);
        if (!lib.isPresent()) {
            return failed(null, 0, lib.library().names().getFirst() + " not found: no NVIDIA driver is installed "
                    + "(searched: " + String.join("; ", lib.searched()) + ")");
        }
        CudaDriver cu = CudaDriver.bind(lib.lookup());
        if (!cu.missingSymbols().isEmpty()) {
            return failed(cu, 0, "driver too old for Ember: " + lib.location() + " lacks " + cu.missingSymbols()
                    + "; install an NVIDIA driver for CUDA 13 (R580 or newer)");
        }
        try {
            cu.init();
        } catch (CudaException e) {
            return failed(cu, 0, "the NVIDIA driver at " + lib.location() + " did not start: " + e.getMessage());
        }
        int version = cu.driverVersion();
        if (version < CudaDriver.MIN_DRIVER_VERSION) {
            return failed(cu, version, "driver too old for Ember's CUDA 13 kernels: the driver at " + lib.location()
                    + " supports CUDA " + versionString(version) + ", need " + versionString(CudaDriver.MIN_DRIVER_VERSION)
                    + " or newer (NVIDIA driver R580+)");
        }
        int n = cu.deviceCount();
        if (n == 0) return failed(cu, version, "the NVIDIA driver (CUDA " + versionString(version) + ") reports no CUDA device");
        List<CudaDevice> devices = new ArrayList<>();
        List<DeviceInfo> infos = new ArrayList<>();
        String libs = librarySummary();
        for (int i = 0; i < n; i++) {
            int h = cu.device(i);
            int major = cu.deviceAttribute(CudaDriver.ATTR_COMPUTE_CAPABILITY_MAJOR, h);
            int minor = cu.deviceAttribute(CudaDriver.ATTR_COMPUTE_CAPABILITY_MINOR, h);
            int sms = cu.deviceAttribute(CudaDriver.ATTR_MULTIPROCESSOR_COUNT, h);
            long mem = cu.deviceTotalMem(h);
            String details = MemoryStats.human(mem) + ", compute capability " + major + "." + minor + ", " + sms
                    + " SMs, driver CUDA " + versionString(version) + "; " + libs;
            if (major < 8) {
                details += " (unsupported: Ember's kernels need compute capability 8.0 or newer)";
            } else {
                devices.add(new CudaDevice(cu, i, this::library));
            }
            infos.add(new DeviceInfo(Device.cuda(i), cu.deviceName(h), details));
        }
        if (devices.size() != infos.size()) {
            return new State(cu, lib.location(), version, List.of(), List.copyOf(infos),
                    "no CUDA device with compute capability 8.0 or newer: " + infos);
        }
        return new State(cu, lib.location(), version, List.copyOf(devices), List.copyOf(infos), null);
    }

    private static State failed(CudaDriver cu, int version, String reason) {
        return new State(cu, null, version, List.of(), List.of(), reason);
    }

    static String versionString(int v) { return (v / 1000) + "." + (v % 1000) / 10; }
}
