package dev.ember.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.List;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The CUDA driver API ({@code libcuda.so.1}) through java.lang.foreign. Symbols are bound by the
 * names {@code cuda.h} maps its macros to ({@code cuMemAlloc} is {@code cuMemAlloc_v2}, and so
 * on), and every {@code CUresult} is checked: a failure becomes a {@link CudaException} with
 * {@code cuGetErrorName}/{@code cuGetErrorString}'s text and the call that failed.
 *
 * <p>Handles ({@code CUcontext}, {@code CUstream}, ...) are {@link MemorySegment}s holding the
 * opaque pointer; device pointers ({@code CUdeviceptr}) are {@code long}s.
 *
 * <pre>{@code
 * CudaDriver cu = CudaDriver.bind(CudaLibraries.fromEnvironment().find(CudaLibraries.DRIVER).lookup());
 * cu.init();
 * int n = cu.deviceCount();
 * }</pre>
 */
public final class CudaDriver {

    /** The bundled kernels are built by CUDA 13; older drivers cannot load them. */
    public static final int MIN_DRIVER_VERSION = 13000;

    // CUdevice_attribute values from cuda.h
    public static final int ATTR_MAX_THREADS_PER_BLOCK = 1;
    public static final int ATTR_MULTIPROCESSOR_COUNT = 16;
    public static final int ATTR_COMPUTE_CAPABILITY_MAJOR = 75;
    public static final int ATTR_COMPUTE_CAPABILITY_MINOR = 76;

    public static final int CU_EVENT_DISABLE_TIMING = 0x2;
    public static final int CU_STREAM_NON_BLOCKING = 0x1;
    public static final int CU_MEMHOSTALLOC_PORTABLE = 0x1;

    private static final Linker LINKER = Linker.nativeLinker();

    private final SymbolLookup lookup;
    private final List<String> missing = new ArrayList<>();

    private final MethodHandle cuGetErrorName, cuGetErrorString, cuInit, cuDriverGetVersion, cuDeviceGetCount,
            cuDeviceGet, cuDeviceGetName, cuDeviceTotalMem, cuDeviceGetAttribute, cuDevicePrimaryCtxRetain,
            cuDevicePrimaryCtxRelease, cuCtxSetCurrent, cuCtxSynchronize, cuMemAlloc, cuMemFree, cuMemGetInfo,
            cuMemcpyHtoD, cuMemcpyDtoH, cuMemcpyDtoD, cuMemcpyHtoDAsync, cuMemcpyDtoHAsync, cuMemcpyDtoDAsync,
            cuMemsetD8Async, cuMemHostAlloc, cuMemFreeHost, cuStreamCreate, cuStreamDestroy, cuStreamSynchronize,
            cuStreamWaitEvent, cuEventCreate, cuEventRecord, cuEventSynchronize, cuEventElapsedTime, cuEventDestroy,
            cuModuleLoadData, cuModuleGetFunction, cuModuleUnload, cuLaunchKernel;

    private CudaDriver(SymbolLookup lookup) {
        this.lookup = lookup;
        cuGetErrorName = bind("cuGetErrorName", JAVA_INT, ADDRESS);
        cuGetErrorString = bind("cuGetErrorString", JAVA_INT, ADDRESS);
        cuInit = bind("cuInit", JAVA_INT);
        cuDriverGetVersion = bind("cuDriverGetVersion", ADDRESS);
        cuDeviceGetCount = bind("cuDeviceGetCount", ADDRESS);
        cuDeviceGet = bind("cuDeviceGet", ADDRESS, JAVA_INT);
        cuDeviceGetName = bind("cuDeviceGetName", ADDRESS, JAVA_INT, JAVA_INT);
        cuDeviceTotalMem = bind("cuDeviceTotalMem_v2", ADDRESS, JAVA_INT);
        cuDeviceGetAttribute = bind("cuDeviceGetAttribute", ADDRESS, JAVA_INT, JAVA_INT);
        cuDevicePrimaryCtxRetain = bind("cuDevicePrimaryCtxRetain", ADDRESS, JAVA_INT);
        cuDevicePrimaryCtxRelease = bind("cuDevicePrimaryCtxRelease_v2", JAVA_INT);
        cuCtxSetCurrent = bind("cuCtxSetCurrent", ADDRESS);
        cuCtxSynchronize = bind("cuCtxSynchronize");
        cuMemAlloc = bind("cuMemAlloc_v2", ADDRESS, JAVA_LONG);
        cuMemFree = bind("cuMemFree_v2", JAVA_LONG);
        cuMemGetInfo = bind("cuMemGetInfo_v2", ADDRESS, ADDRESS);
        cuMemcpyHtoD = bind("cuMemcpyHtoD_v2", JAVA_LONG, ADDRESS, JAVA_LONG);
        cuMemcpyDtoH = bind("cuMemcpyDtoH_v2", ADDRESS, JAVA_LONG, JAVA_LONG);
        cuMemcpyDtoD = bind("cuMemcpyDtoD_v2", JAVA_LONG, JAVA_LONG, JAVA_LONG);
        cuMemcpyHtoDAsync = bind("cuMemcpyHtoDAsync_v2", JAVA_LONG, ADDRESS, JAVA_LONG, ADDRESS);
        cuMemcpyDtoHAsync = bind("cuMemcpyDtoHAsync_v2", ADDRESS, JAVA_LONG, JAVA_LONG, ADDRESS);
        cuMemcpyDtoDAsync = bind("cuMemcpyDtoDAsync_v2", JAVA_LONG, JAVA_LONG, JAVA_LONG, ADDRESS);
        cuMemsetD8Async = bind("cuMemsetD8Async", JAVA_LONG, JAVA_BYTE, JAVA_LONG, ADDRESS);
        cuMemHostAlloc = bind("cuMemHostAlloc", ADDRESS, JAVA_LONG, JAVA_INT);
        cuMemFreeHost = bind("cuMemFreeHost", ADDRESS);
        cuStreamCreate = bind("cuStreamCreate", ADDRESS, JAVA_INT);
        cuStreamDestroy = bind("cuStreamDestroy_v2", ADDRESS);
        cuStreamSynchronize = bind("cuStreamSynchronize", ADDRESS);
        cuStreamWaitEvent = bind("cuStreamWaitEvent", ADDRESS, ADDRESS, JAVA_INT);
        cuEventCreate = bind("cuEventCreate", ADDRESS, JAVA_INT);
        cuEventRecord = bind("cuEventRecord", ADDRESS, ADDRESS);
        cuEventSynchronize = bind("cuEventSynchronize", ADDRESS);
        cuEventElapsedTime = bindAny(new String[] {"cuEventElapsedTime_v2", "cuEventElapsedTime"}, ADDRESS, ADDRESS, ADDRESS);
        cuEventDestroy = bind("cuEventDestroy_v2", ADDRESS);
        cuModuleLoadData = bind("cuModuleLoadData", ADDRESS, ADDRESS);
        cuModuleGetFunction = bind("cuModuleGetFunction", ADDRESS, ADDRESS, ADDRESS);
        cuModuleUnload = bind("cuModuleUnload", ADDRESS);
        cuLaunchKernel = bind("cuLaunchKernel", ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT,
                JAVA_INT, ADDRESS, ADDRESS, ADDRESS);
    }

    /** Binds every function Ember uses; {@link #missingSymbols()} lists those the library lacks. */
    public static CudaDriver bind(SymbolLookup lookup) { return new CudaDriver(lookup); }

    /** Symbols this driver library does not export (a driver older than Ember needs). */
    public List<String> missingSymbols() { return List.copyOf(missing); }

    /** The first of {@code names} the library exports (a newer versioned symbol, then the older one). */
    private MethodHandle bindAny(String[] names, MemoryLayout... args) {
        for (String n : names) {
            var sym = lookup.find(n);
            if (sym.isPresent()) return LINKER.downcallHandle(sym.get(), FunctionDescriptor.of(JAVA_INT, args));
        }
        missing.add(names[0]);
        return null;
    }

    private MethodHandle bind(String name, MemoryLayout... args) {
        var sym = lookup.find(name);
        if (sym.isEmpty()) {
            missing.add(name);
            return null;
        }
        return LINKER.downcallHandle(sym.get(), FunctionDescriptor.of(JAVA_INT, args));
    }

    // ------------------------------------------------------------------ errors

    /** Throws a {@link CudaException} naming {@code call} when {@code status} is not CUDA_SUCCESS. */
    public void check(int status, String call) {
        if (status != 0) throw error(status, call);
    }

    /** The exception for a failed call, with CUDA's own name and description of the status. */
    public CudaException error(int status, String call) {
        return new CudaException(call, status, errorText(cuGetErrorName, status, "CUDA_ERROR_" + status),
                errorText(cuGetErrorString, status, "unknown CUDA error"));
    }

    private static String errorText(MethodHandle h, int status, String fallback) {
        if (h == null) return fallback;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ADDRESS);
            int rc = (int) h.invokeExact(status, out);
            MemorySegment p = out.get(ADDRESS, 0);
            if (rc != 0 || p.equals(MemorySegment.NULL)) return fallback;
            return p.reinterpret(4096).getString(0);
        } catch (Throwable t) {
            return fallback;
        }
    }

    private MethodHandle need(MethodHandle h, String name) {
        if (h == null) {
            throw new CudaException(name, 500, "CUDA_ERROR_NOT_FOUND",
                    "the driver library does not export " + name + "; update the NVIDIA driver");
        }
        return h;
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) return r;
        if (t instanceof Error e) throw e;
        return new IllegalStateException(t);
    }

    // ------------------------------------------------------------------ initialisation and devices

    public void init() {
        try {
            check((int) need(cuInit, "cuInit").invokeExact(0), "cuInit(0)");
        } catch (Throwable t) { throw rethrow(t); }
    }

    /** For example 13000 for CUDA 13.0. */
    public int driverVersion() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(JAVA_INT);
            check((int) need(cuDriverGetVersion, "cuDriverGetVersion").invokeExact(v), "cuDriverGetVersion");
            return v.get(JAVA_INT, 0);
        } catch (Throwable t) { throw rethrow(t); }
    }

    public int deviceCount() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(JAVA_INT);
            check((int) need(cuDeviceGetCount, "cuDeviceGetCount").invokeExact(v), "cuDeviceGetCount");
            return v.get(JAVA_INT, 0);
        } catch (Throwable t) { throw rethrow(t); }
    }

    /** The CUdevice handle of ordinal {@code ordinal}. */
    public int device(int ordinal) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(JAVA_INT);
            check((int) need(cuDeviceGet, "cuDeviceGet").invokeExact(v, ordinal), "cuDeviceGet(" + ordinal + ")");
            return v.get(JAVA_INT, 0);
        } catch (Throwable t) { throw rethrow(t); }
    }

    public String deviceName(int dev) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(256);
            check((int) need(cuDeviceGetName, "cuDeviceGetName").invokeExact(buf, 256, dev), "cuDeviceGetName(" + dev + ")");
            return buf.getString(0);
        } catch (Throwable t) { throw rethrow(t); }
    }

    public long deviceTotalMem(int dev) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(JAVA_LONG);
            check((int) need(cuDeviceTotalMem, "cuDeviceTotalMem_v2").invokeExact(v, dev), "cuDeviceTotalMem_v2(" + dev + ")");
            return v.get(JAVA_LONG, 0);
        } catch (Throwable t) { throw rethrow(t); }
    }

    public int deviceAttribute(int attribute, int dev) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(JAVA_INT);
            check((int) need(cuDeviceGetAttribute, "cuDeviceGetAttribute").invokeExact(v, attribute, dev),
                    "cuDeviceGetAttribute(attribute=" + attribute + ", device=" + dev + ")");
            return v.get(JAVA_INT, 0);
        } catch (Throwable t) { throw rethrow(t); }
    }

    /** The device's primary context, shared with every other CUDA library in the process. */
    public MemorySegment primaryContextRetain(int dev) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(ADDRESS);
            check((int) need(cuDevicePrimaryCtxRetain, "cuDevicePrimaryCtxRetain").invokeExact(v, dev),
                    "cuDevicePrimaryCtxRetain(" + dev + ")");
            return v.get(ADDRESS, 0);
        } catch (Throwable t) { throw rethrow(t); }
    }

    public void primaryContextRelease(int dev) {
        try {
            check((int) need(cuDevicePrimaryCtxRelease, "cuDevicePrimaryCtxRelease_v2").invokeExact(dev),
                    "cuDevicePrimaryCtxRelease_v2(" + dev + ")");
        } catch (Throwable t) { throw rethrow(t); }
    }

    public void setCurrentContext(MemorySegment ctx) {
        try {
            check((int) need(cuCtxSetCurrent, "cuCtxSetCurrent").invokeExact(ctx), "cuCtxSetCurrent");
        } catch (Throwable t) { throw rethrow(t); }
    }

    public void contextSynchronize() {
        try {
            check((int) need(cuCtxSynchronize, "cuCtxSynchronize").invokeExact(), "cuCtxSynchronize");
        } catch (Throwable t) { throw rethrow(t); }
    }

    // ------------------------------------------------------------------ memory

    /** A device allocation of {@code bytes}; a failure keeps CUDA's status (out of memory is 2). */
    public long memAlloc(long bytes) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(JAVA_LONG);
            check((int) need(cuMemAlloc, "cuMemAlloc_v2").invokeExact(v, bytes), "cuMemAlloc_v2(bytes=" + bytes + ")");
            return v.get(JAVA_LONG, 0);
        } catch (Throwable t) { throw rethrow(t); }
    }

    public void memFree(long dptr) {
        try {
            check((int) need(cuMemFree, "cuMemFree_v2").invokeExact(dptr), "cuMemFree_v2(0x" + Long.toHexString(dptr) + ")");
        } catch (Throwable t) { throw rethrow(t); }
    }

    /** {free, total} bytes of the current context's device. */
    public long[] memGetInfo() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment f = a.allocate(JAVA_LONG), t = a.allocate(JAVA_LONG);
            check((int) need(cuMemGetInfo, "cuMemGetInfo_v2").invokeExact(f, t), "cuMemGetInfo_v2");
            return new long[] {f.get(JAVA_LONG, 0), t.get(JAVA_LONG, 0)};
        } catch (Throwable t) { throw rethrow(t); }
    }

    public void memcpyHtoD(long dst, MemorySegment src, long bytes) {
        try {
            check((int) need(cuMemcpyHtoD, "cuMemcpyHtoD_v2").invokeExact(dst, src, bytes),
                    "cuMemcpyHtoD_v2(dst=0x" + Long.toHexString(dst) + ", bytes=" + bytes + ")");
        } catch (Throwable t) { throw rethrow(t); }
    }

    public void memcpyDtoH(MemorySegment dst, long src, long bytes) {
        try {
            check((int) need(cuMemcpyDtoH, "cuMemcpyDtoH_v2").invokeExact(dst, src, bytes),
                    "cuMemcpyDtoH_v2(src=0x" + Long.toHexString(src) + ", bytes=" + bytes + ")");
        } catch (Throwable t) { throw rethrow(t); }
    }

    public void memcpyDtoD(long dst, long src, long bytes) {
        try {
            check((int) need(cuMemcpyDtoD, "cuMemcpyDtoD_v2").invokeExact(dst, src, bytes),
                    "cuMemcpyDtoD_v2(dst=0x" + Long.toHexString(dst) + ", src=0x" + Long.toHexString(src) + ", bytes=" + bytes + ")");
        } catch (Throwable t) { throw rethrow(t); }
    }

    public void memcpyHtoDAsync(long dst, MemorySegment src, long bytes, MemorySegment stream) {
        try {
            check((int) need(cuMemcpyHtoDAsync, "cuMemcpyHtoDAsync_v2").invokeExact(dst, src, bytes, stream),
                    "cuMemcpyHtoDAsync_v2(dst=0x" + Long.toHexString(dst) + ", bytes=" + bytes + ")");
        } catch (Throwable t) { throw rethrow(t); }
    }

    public void memcpyDtoHAsync(MemorySegment dst, long src, long bytes, MemorySegment stream) {
        try {
            check((int) need(cuMemcpyDtoHAsync, "cuMemcpyDtoHAsync_v2").invokeExact(dst, src, bytes, stream),
                    "cuMemcpyDtoHAsync_v2(src=0x" + Long.toHexString(src) + ", bytes=" + bytes + ")");
        } catch (Throwable t) { throw rethrow(t); }
    }

    public void memcpyDtoDAsync(long dst, long src, long bytes, MemorySegment stream) {
        try {
            check((int) need(cuMemcpyDtoDAsync, "cuMemcpyDtoDAsync_v2").invokeExact(dst, src, bytes, stream),
                    "cuMemcpyDtoDAsync_v2(dst=0x" + Long.toHexString(dst) + ", src=0x" + Long.toHexString(src) + ", bytes=" + bytes + ")");
        } catch (Throwable t) { throw rethrow(t); }
    }

    public void memsetD8Async(long dst, byte value, long count, MemorySegment stream) {
        try {
            check((int) need(cuMemsetD8Async, "cuMemsetD8Async").invokeExact(dst, value, count, stream),
                    "cuMemsetD8Async(dst=0x" + Long.toHexString(dst) + ", count=" + count + ")");
        } catch (Throwable t) { throw rethrow(t); }
    }

    /** Page-locked host memory, so asynchronous copies really overlap with compute. */
    public MemorySegment memHostAlloc(long bytes) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(ADDRESS);
            check((int) need(cuMemHostAlloc, "cuMemHostAlloc").invokeExact(v, bytes, CU_MEMHOSTALLOC_PORTABLE),
                    "cuMemHostAlloc(bytes=" + bytes + ")");
            return v.get(ADDRESS, 0).reinterpret(bytes);
        } catch (Throwable t) { throw rethrow(t); }
    }

    public void memFreeHost(MemorySegment p) {
        try {
            check((int) need(cuMemFreeHost, "cuMemFreeHost").invokeExact(p), "cuMemFreeHost");
        } catch (Throwable t) { throw rethrow(t); }
    }

    // ------------------------------------------------------------------ streams and events

    public MemorySegment streamCreate(int flags) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(ADDRESS);
            check((int) need(cuStreamCreate, "cuStreamCreate").invokeExact(v, flags), "cuStreamCreate(flags=" + flags + ")");
            return v.get(ADDRESS, 0);
        } catch (Throwable t) { throw rethrow(t); }
    }

    public void streamDestroy(MemorySegment s) {
        try {
            check((int) need(cuStreamDestroy, "cuStreamDestroy_v2").invokeExact(s), "cuStreamDestroy_v2");
        } catch (Throwable t) { throw rethrow(t); }
    }

    public void streamSynchronize(MemorySegment s) {
        try {
            check((int) need(cuStreamSynchronize, "cuStreamSynchronize").invokeExact(s), "cuStreamSynchronize");
        } catch (Throwable t) { throw rethrow(t); }
    }

    public void streamWaitEvent(MemorySegment s, MemorySegment e) {
        try {
            check((int) need(cuStreamWaitEvent, "cuStreamWaitEvent").invokeExact(s, e, 0), "cuStreamWaitEvent");
        } catch (Throwable t) { throw rethrow(t); }
    }

    public MemorySegment eventCreate(int flags) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(ADDRESS);
            check((int) need(cuEventCreate, "cuEventCreate").invokeExact(v, flags), "cuEventCreate(flags=" + flags + ")");
            return v.get(ADDRESS, 0);
        } catch (Throwable t) { throw rethrow(t); }
    }

    public void eventRecord(MemorySegment e, MemorySegment s) {
        try {
            check((int) need(cuEventRecord, "cuEventRecord").invokeExact(e, s), "cuEventRecord");
        } catch (Throwable t) { throw rethrow(t); }
    }

    public void eventSynchronize(MemorySegment e) {
        try {
            check((int) need(cuEventSynchronize, "cuEventSynchronize").invokeExact(e), "cuEventSynchronize");
        } catch (Throwable t) { throw rethrow(t); }
    }

    /** Milliseconds between two recorded events. */
    public float eventElapsedMillis(MemorySegment start, MemorySegment end) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(JAVA_FLOAT);
            check((int) need(cuEventElapsedTime, "cuEventElapsedTime_v2").invokeExact(v, start, end), "cuEventElapsedTime_v2");
            return v.get(JAVA_FLOAT, 0);
        } catch (Throwable t) { throw rethrow(t); }
    }

    public void eventDestroy(MemorySegment e) {
        try {
            check((int) need(cuEventDestroy, "cuEventDestroy_v2").invokeExact(e), "cuEventDestroy_v2");
        } catch (Throwable t) { throw rethrow(t); }
    }

    // ------------------------------------------------------------------ modules and launches

    /** Loads a fatbin, cubin or PTX image; the driver picks the cubin for this GPU or JITs the PTX. */
    public MemorySegment moduleLoadData(MemorySegment image, String what) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(ADDRESS);
            check((int) need(cuModuleLoadData, "cuModuleLoadData").invokeExact(v, image), "cuModuleLoadData(" + what + ")");
            return v.get(ADDRESS, 0);
        } catch (Throwable t) { throw rethrow(t); }
    }

    public MemorySegment moduleGetFunction(MemorySegment module, String name) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(ADDRESS);
            check((int) need(cuModuleGetFunction, "cuModuleGetFunction").invokeExact(v, module, a.allocateFrom(name)),
                    "cuModuleGetFunction(" + name + ")");
            return v.get(ADDRESS, 0);
        } catch (Throwable t) { throw rethrow(t); }
    }

    public void moduleUnload(MemorySegment module) {
        try {
            check((int) need(cuModuleUnload, "cuModuleUnload").invokeExact(module), "cuModuleUnload");
        } catch (Throwable t) { throw rethrow(t); }
    }

    /**
     * Launches {@code f}; {@code params} is the {@code void**} array whose entries point at each
     * argument's value, as cuLaunchKernel expects.
     */
    public void launchKernel(MemorySegment f, int gx, int gy, int gz, int bx, int by, int bz, int sharedBytes,
                             MemorySegment stream, MemorySegment params, String name) {
        try {
            int rc = (int) need(cuLaunchKernel, "cuLaunchKernel").invokeExact(f, gx, gy, gz, bx, by, bz, sharedBytes,
                    stream, params, MemorySegment.NULL);
            if (rc != 0) {
                throw error(rc, "cuLaunchKernel(" + name + ", grid=[" + gx + "," + gy + "," + gz + "], block=["
                        + bx + "," + by + "," + bz + "], shared=" + sharedBytes + ")");
            }
        } catch (Throwable t) { throw rethrow(t); }
    }
}
