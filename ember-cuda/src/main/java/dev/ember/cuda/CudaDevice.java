package dev.ember.cuda;

import dev.ember.core.Device;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * One GPU as Ember drives it: its primary context (shared with cuBLAS, cuDNN and any other CUDA
 * library in the process), the stream Ember's work is queued on, a caching allocator, pinned
 * staging buffers for host copies, and the loaded kernel modules.
 *
 * <pre>{@code
 * CudaDevice d = backend.device(0);
 * d.launch("fill_f32", grid, 256, 0, n, ptr, 1.0f);
 * }</pre>
 */
public final class CudaDevice {

    /** Host copies go through two pinned buffers of this size, so a copy overlaps the next fill. */
    static final long STAGING_BYTES = 8L << 20;

    private static final ThreadLocal<MemorySegment> CURRENT = new ThreadLocal<>();

    private final CudaDriver cu;
    private final int ordinal;
    private final int handle;
    private final Device device;
    private final MemorySegment context;
    private final CudaStream stream;
    private final CudaAllocator allocator;
    private final Map<String, MemorySegment> modules = new HashMap<>();
    private final Map<String, MemorySegment> functions = new HashMap<>();
    private final Function<CudaLibraries.Library, CudaLibraries.Found> libraries;
    private Cublas cublas;
    private Optional<CublasLt> cublasLt;
    private Optional<Cudnn> cudnn;
    private RuntimeKernels runtimeKernels;
    private MemorySegment[] staging;
    private CudaEvent[] stagingDone;

    CudaDevice(CudaDriver cu, int ordinal, Function<CudaLibraries.Library, CudaLibraries.Found> libraries) {
        this.cu = cu;
        this.libraries = libraries;
        this.ordinal = ordinal;
        this.handle = cu.device(ordinal);
        this.device = Device.cuda(ordinal);
        this.context = cu.primaryContextRetain(handle);
        makeCurrent();
        this.stream = new CudaStream(this, cu.streamCreate(CudaDriver.CU_STREAM_NON_BLOCKING));
        this.allocator = new CudaAllocator(device, new CudaAllocator.DeviceMemory() {
            @Override public long alloc(long bytes) { makeCurrent(); return cu.memAlloc(bytes); }
            @Override public void free(long ptr) { makeCurrent(); cu.memFree(ptr); }
            @Override public void synchronize() { stream.synchronize(); }
        }, stream.handle().address());
    }

    public CudaDriver driver() { return cu; }
    public int ordinal() { return ordinal; }
    public Device device() { return device; }
    public CudaStream stream() { return stream; }
    public CudaAllocator allocator() { return allocator; }
    public MemorySegment context() { return context; }

    /** Makes this device's primary context current on the calling thread (cached per thread). */
    public void makeCurrent() {
        if (CURRENT.get() != context) {
            cu.setCurrentContext(context);
            CURRENT.set(context);
        }
    }

    public CudaStream newStream() {
        makeCurrent();
        return new CudaStream(this, cu.streamCreate(CudaDriver.CU_STREAM_NON_BLOCKING));
    }

    public CudaEvent newEvent(boolean timing) {
        makeCurrent();
        return new CudaEvent(this, cu.eventCreate(timing ? 0 : CudaDriver.CU_EVENT_DISABLE_TIMING));
    }

    public void synchronize() { stream.synchronize(); }

    // ------------------------------------------------------------------ copies

    /** Host to device through pinned staging buffers; returns when the host memory may be reused. */
    public synchronized void copyFromHost(MemorySegment src, long srcOffset, long dstPtr, long bytes) {
        makeCurrent();
        ensureStaging();
        long done = 0;
        int i = 0;
        while (done < bytes) {
            long n = Math.min(STAGING_BYTES, bytes - done);
            int b = i & 1;
            stagingDone[b].synchronize(); // the copy that last used this buffer has finished
            MemorySegment.copy(src, srcOffset + done, staging[b], 0, n);
            cu.memcpyHtoDAsync(dstPtr + done, staging[b], n, stream.handle());
            stagingDone[b].record(stream);
            done += n;
            i++;
        }
        stagingDone[0].synchronize();
        stagingDone[1].synchronize();
    }

    /** Device to host through pinned staging buffers, after the work queued before it. */
    public synchronized void copyToHost(long srcPtr, MemorySegment dst, long dstOffset, long bytes) {
        makeCurrent();
        ensureStaging();
        long done = 0;
        while (done < bytes) {
            long n = Math.min(STAGING_BYTES, bytes - done);
            cu.memcpyDtoHAsync(staging[0], srcPtr + done, n, stream.handle());
            stream.synchronize();
            MemorySegment.copy(staging[0], 0, dst, dstOffset + done, n);
            done += n;
        }
    }

    /** Device to device on Ember's stream. */
    public void copyDeviceToDevice(long dstPtr, long srcPtr, long bytes) {
        makeCurrent();
        cu.memcpyDtoDAsync(dstPtr, srcPtr, bytes, stream.handle());
    }

    /**
     * Starts a host-to-device copy from page-locked memory and returns at once; the copy is
     * ordered on Ember's stream, so kernels queued after it see the data. Keep {@code pinned}
     * unchanged until {@link #synchronize()} or an event recorded after the copy has completed.
     */
    public void copyFromPinnedAsync(PinnedBuffer pinned, long srcOffset, long dstPtr, long bytes) {
        makeCurrent();
        cu.memcpyHtoDAsync(dstPtr, pinned.segment().asSlice(srcOffset, bytes), bytes, stream.handle());
    }

    /** Starts a device-to-host copy into page-locked memory; valid after {@link #synchronize()}. */
    public void copyToPinnedAsync(long srcPtr, PinnedBuffer pinned, long dstOffset, long bytes) {
        makeCurrent();
        cu.memcpyDtoHAsync(pinned.segment().asSlice(dstOffset, bytes), srcPtr, bytes, stream.handle());
    }

    /** Page-locked host memory for asynchronous copies. */
    public PinnedBuffer allocatePinned(long bytes) {
        makeCurrent();
        return new PinnedBuffer(this, cu.memHostAlloc(bytes));
    }

    private void ensureStaging() {
        if (staging != null) return;
        staging = new MemorySegment[] {cu.memHostAlloc(STAGING_BYTES), cu.memHostAlloc(STAGING_BYTES)};
        stagingDone = new CudaEvent[] {newEvent(false), newEvent(false)};
        stagingDone[0].record(stream);
        stagingDone[1].record(stream);
    }

    /** cuBLAS on this device's stream, created on first use; throws naming what is missing. */
    public synchronized Cublas cublas() {
        if (cublas == null) cublas = Cublas.create(this, libraries.apply(CudaLibraries.CUBLAS));
        return cublas;
    }

    /** cuBLASLt on this device's stream when the library is installed (fused GEMM epilogues), else empty. */
    public synchronized Optional<CublasLt> cublasLt() {
        if (cublasLt == null) {
            CudaLibraries.Found f = libraries.apply(CudaLibraries.CUBLAS_LT);
            cublasLt = f.isPresent() ? Optional.of(CublasLt.bind(this, f.lookup())) : Optional.empty();
        }
        return cublasLt;
    }

    /** cuDNN 9 on this device's stream when the library is installed (convolutions), else empty. */
    public synchronized Optional<Cudnn> cudnn() {
        if (cudnn == null) {
            CudaLibraries.Found f = libraries.apply(CudaLibraries.CUDNN);
            cudnn = f.isPresent() && !Cudnn.disabled() ? Optional.of(Cudnn.bind(this, f.lookup())) : Optional.empty();
        }
        return cudnn;
    }

    /**
     * Run-time compilation of CUDA C for this GPU through NVRTC; throws naming the files searched
     * when NVRTC is not installed.
     */
    public synchronized RuntimeKernels runtimeKernels() {
        if (runtimeKernels == null) {
            CudaLibraries.Found f = libraries.apply(CudaLibraries.NVRTC);
            if (!f.isPresent()) {
                throw new UnsupportedOperationException("run-time kernel compilation on " + device + " needs NVRTC: " + f.missingReason()
                        + ". Install it (the CUDA toolkit, or pip install nvidia-cuda-nvrtc) or set EMBER_CUDA_PATH");
            }
            runtimeKernels = new RuntimeKernels(this, Nvrtc.load(f));
        }
        return runtimeKernels;
    }

    /** The compute capability as major * 10 + minor, for example 90 for an H100. */
    public int computeCapability() {
        return cu.deviceAttribute(CudaDriver.ATTR_COMPUTE_CAPABILITY_MAJOR, handle) * 10
                + cu.deviceAttribute(CudaDriver.ATTR_COMPUTE_CAPABILITY_MINOR, handle);
    }

    // ------------------------------------------------------------------ kernels

    /**
     * The kernel {@code name} from the module of its family (the part of the name before the
     * first underscore, e.g. {@code elementwise} for {@code elementwise_add_f32}), loading the
     * module's fatbin from the class path on first use.
     */
    public synchronized MemorySegment function(String name) {
        MemorySegment f = functions.get(name);
        if (f != null) return f;
        String family = name.substring(0, name.indexOf('_'));
        MemorySegment module = modules.get(family);
        if (module == null) {
            makeCurrent();
            module = cu.moduleLoadData(loadImage(family), family + ".fatbin");
            modules.put(family, module);
        }
        f = cu.moduleGetFunction(module, name);
        functions.put(name, f);
        return f;
    }

    static MemorySegment loadImage(String family) {
        String res = "/dev/ember/cuda/kernels/" + family + ".fatbin";
        try (InputStream in = CudaDevice.class.getResourceAsStream(res)) {
            if (in == null) {
                throw new IllegalStateException("kernel image " + res + " is missing from the ember-cuda jar; rebuild with "
                        + "scripts/build-kernels.sh where nvcc exists");
            }
            byte[] b = in.readAllBytes();
            // the driver reads the image in place; it must stay valid while the module is loaded
            MemorySegment seg = Arena.global().allocate(b.length + 1L, 64);
            MemorySegment.copy(b, 0, seg, ValueLayout.JAVA_BYTE, 0, b.length);
            return seg;
        } catch (IOException e) {
            throw new IllegalStateException("cannot read kernel image " + res + ": " + e.getMessage(), e);
        }
    }

    /**
     * Launches kernel {@code name} on Ember's stream with a 1-d grid. Arguments: {@code Long}
     * (a device pointer or a 64-bit integer), {@code Integer}, {@code Float}, {@code Double}, or
     * a {@link MemorySegment} passed by value (a struct).
     */
    public void launch(String name, long grid, int block, int sharedBytes, Object... args) {
        if (grid == 0) return;
        if (grid > Integer.MAX_VALUE) throw new IllegalArgumentException(name + ": grid of " + grid + " blocks is too large");
        launch(name, (int) grid, 1, 1, block, 1, 1, sharedBytes, args);
    }

    public void launch(String name, int gx, int gy, int gz, int bx, int by, int bz, int sharedBytes, Object... args) {
        launchFunction(function(name), name, gx, gy, gz, bx, by, bz, sharedBytes, args);
    }

    /** Launches an already loaded kernel (for example one from {@link RuntimeKernels}) on Ember's stream. */
    public void launchFunction(MemorySegment f, String name, int gx, int gy, int gz, int bx, int by, int bz, int sharedBytes,
                               Object... args) {
        makeCurrent();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment params = KernelArgs.pack(a, args);
            cu.launchKernel(f, gx, gy, gz, bx, by, bz, sharedBytes, stream.handle(), params, name);
        }
    }

    /** Number of 1-d blocks of {@code block} threads covering {@code n} elements. */
    public static long blocks(long n, int block) { return (n + block - 1) / block; }
}
