package dev.ember.cuda;

import dev.ember.core.DType;
import dev.ember.core.Device;
import dev.ember.core.Tensor;
import dev.ember.core.ops.CreationOps;
import dev.ember.core.ops.ElementwiseOps;
import dev.ember.core.ops.NoAttrs;
import dev.ember.core.ops.TensorOps;
import dev.ember.core.backend.DeviceInfo;
import dev.ember.core.memory.EmberOutOfMemoryError;
import dev.ember.core.memory.Storage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The binding layer against a C stand-in for libcuda.so.1: symbols, argument order, error mapping. */
class CudaDriverStandInTest {

    @TempDir static Path dir;
    static StandInDriver standIn;

    @BeforeAll
    static void build() throws Exception {
        String why = StandInDriver.unavailableReason();
        if (why != null) System.out.println("CudaDriverStandInTest skipped: " + why);
        assumeTrue(why == null, why);
        standIn = StandInDriver.build(dir.resolve("current"));
    }

    @AfterEach
    void reset() {
        standIn.setNoDevice(false);
        standIn.setDriverVersion(13000);
        standIn.setAllocLimit(1L << 30);
    }

    @Test
    void devicesAreListedWithNameMemoryAndComputeCapability() {
        CudaBackend b = new CudaBackend(standIn.libraries());
        assertTrue(b.isAvailable(), b.unavailableReason());
        assertEquals("", b.unavailableReason());
        List<DeviceInfo> ds = b.devices();
        assertEquals(2, ds.size());
        assertEquals(Device.cuda(0), ds.get(0).device());
        assertEquals("Stand-in GPU A", ds.get(0).name());
        assertTrue(ds.get(0).details().startsWith("80.00 GiB, compute capability 9.0, 132 SMs, driver CUDA 13.0; cuBLAS "), ds.get(0).details());
        assertEquals("Stand-in GPU B", ds.get(1).name());
        assertTrue(ds.get(1).details().contains("compute capability 8.0, 108 SMs"), ds.get(1).details());
        assertEquals(13000, b.driverVersion());
    }

    @Test
    void aFailedCallCarriesCudasNameAndTextAndTheCall() {
        CudaDriver cu = CudaDriver.bind(standIn.lookup);
        cu.init();
        CudaException e = assertThrows(CudaException.class, () -> cu.device(5));
        assertEquals("cuDeviceGet(5) failed: CUDA_ERROR_INVALID_DEVICE (101): invalid device ordinal", e.getMessage());
        assertEquals(101, e.status());
        CudaException unknown = cu.error(999, "cuSomething");
        assertEquals("cuSomething failed: CUDA_ERROR_999 (999): unknown CUDA error", unknown.getMessage());
    }

    @Test
    void outOfMemoryNamesTheSizeAfterEmptyingTheCache() {
        CudaBackend b = new CudaBackend(standIn.libraries());
        CudaAllocator a = b.device(0).allocator();
        MemorySegment small = a.allocate(1 << 20);
        a.release(small, 1 << 20);
        long live = standIn.liveAllocations();
        standIn.setAllocLimit(4L << 20);
        long ask = 5L << 20;
        EmberOutOfMemoryError e = assertThrows(EmberOutOfMemoryError.class, () -> a.allocate(ask));
        assertTrue(e.getMessage().startsWith("out of memory on cuda:0: asked for 5.0 MiB (5242880 bytes)"), e.getMessage());
        CudaException cause = assertInstanceOf(CudaException.class, e.getCause());
        assertEquals("cuMemAlloc_v2(bytes=5242880) failed: CUDA_ERROR_OUT_OF_MEMORY (2): out of memory", cause.getMessage());
        assertEquals(live - 1, standIn.liveAllocations(), "the cached block was freed before giving up");
        assertEquals(0, a.stats().cachedBytes());
    }

    @Test
    void theAllocatorReusesFreedBlocksOfTheSameSizeClass() {
        CudaBackend b = new CudaBackend(standIn.libraries());
        CudaAllocator a = b.device(1).allocator();
        long before = standIn.liveAllocations();
        MemorySegment x = a.allocate(1000);
        assertEquals(1024, x.byteSize());
        a.release(x, 1000);
        MemorySegment y = a.allocate(700);
        assertEquals(x.address(), y.address(), "700 and 1000 bytes share the 1 KiB class");
        assertEquals(1, a.stats().cacheHits());
        assertEquals(before + 1, standIn.liveAllocations());
        a.release(y, 700);
        a.emptyCache();
        assertEquals(before, standIn.liveAllocations());
        assertEquals(1024, a.stats().peakBytes());
        assertEquals(0, a.stats().currentBytes());
    }

    @Test
    void copiesKeepSourceAndDestinationInOrderAcrossStagingChunks() {
        CudaBackend b = new CudaBackend(standIn.libraries());
        Device d = Device.cuda(0);
        int n = (int) (CudaDevice.STAGING_BYTES / 4 * 2 + 1000); // three chunks, the last one short
        float[] data = new float[n];
        for (int i = 0; i < n; i++) data[i] = i * 0.5f;
        Storage s = Storage.allocate(d, b.allocator(d), (n + 16) * 4L);
        b.copyFromHost(MemorySegment.ofArray(data), 8, s, 64, (n - 2) * 4L);
        float[] back = new float[n];
        b.copyToHost(s, 64, MemorySegment.ofArray(back), 0, (n - 2) * 4L);
        for (int i = 0; i < n - 2; i++) {
            if (back[i] != data[i + 2]) throw new AssertionError("element " + i + ": " + back[i] + " != " + data[i + 2]);
        }
        s.release();
    }

    @Test
    void kernelArgumentsArePassedAsPointersToTheirValues() throws Throwable {
        CudaBackend b = new CudaBackend(standIn.libraries());
        CudaDevice dev = b.device(0);
        dev.launch("elementwise_test_f32", 3, 256, 128, 7L, 0x1000L, 0x2000L);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment dims = a.allocate(7 * 4), name = a.allocate(128), params = a.allocate(24);
            standIn.lastLaunch().invokeExact(dims, name, params);
            assertArrayEquals(new int[] {3, 1, 1, 256, 1, 1, 128}, dims.toArray(ValueLayout.JAVA_INT));
            assertEquals("elementwise_test_f32", name.getString(0));
            assertArrayEquals(new long[] {7, 0x1000, 0x2000}, params.toArray(ValueLayout.JAVA_LONG));
        }
    }

    @Test
    void kernelWrappersNameTheKernelAndPassSizeLayoutAndPointersInOrder() throws Throwable {
        CudaBackend b = new CudaBackend(standIn.libraries());
        Device d = Device.cuda(0);
        Tensor x = Tensor.of(Storage.allocate(d, b.allocator(d), 24 * 4), 0, new int[] {2, 3, 4}, new long[] {12, 4, 1}, DType.F32);
        Tensor y = Tensor.of(Storage.allocate(d, b.allocator(d), 4 * 4), 0, new int[] {4}, new long[] {1}, DType.F32);
        Tensor o = Tensor.of(Storage.allocate(d, b.allocator(d), 24 * 4), 0, new int[] {2, 3, 4}, new long[] {12, 4, 1}, DType.F32);
        b.kernels().find(ElementwiseOps.ADD, DType.F32).run(new Tensor[] {o}, new Tensor[] {x, y}, NoAttrs.INSTANCE);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment dims = a.allocate(7 * 4), name = a.allocate(128), params = a.allocate(24);
            standIn.lastLaunch().invokeExact(dims, name, params);
            assertEquals("elementwise_add_f32", name.getString(0));
            assertEquals(24, params.get(ValueLayout.JAVA_LONG, 0), "n");
            assertEquals(3, params.get(ValueLayout.JAVA_INT, 8), "the layout struct arrives by value: ndim");
            assertEquals(x.segment().address(), params.get(ValueLayout.JAVA_LONG, 16), "then the first input's pointer");
            assertEquals(1, dims.get(ValueLayout.JAVA_INT, 0), "24 elements fit one block of 256");
        }
        assertTrue(b.kernels().find(TensorOps.CAST, DType.BOOL) != null && b.kernels().find(CreationOps.RANDOM, DType.F32) != null);
    }

    @Test
    void noDeviceTooOldAndMissingSymbolsAreExplained() throws Exception {
        standIn.setNoDevice(true);
        CudaBackend none = new CudaBackend(standIn.libraries());
        assertFalse(none.isAvailable());
        assertTrue(none.unavailableReason().contains("cuInit(0) failed: CUDA_ERROR_NO_DEVICE (100): no CUDA-capable device is detected"),
                none.unavailableReason());
        standIn.setNoDevice(false);
        standIn.setDriverVersion(12040);
        CudaBackend old = new CudaBackend(standIn.libraries());
        assertFalse(old.isAvailable());
        assertTrue(old.unavailableReason().startsWith("driver too old for Ember's CUDA 13 kernels"), old.unavailableReason());
        assertTrue(old.unavailableReason().contains("supports CUDA 12.4, need 13.0"), old.unavailableReason());
        StandInDriver ancient = StandInDriver.build(dir.resolve("old"), "OLD_DRIVER");
        CudaBackend unbound = new CudaBackend(ancient.libraries());
        assertFalse(unbound.isAvailable());
        assertTrue(unbound.unavailableReason().startsWith("driver too old for Ember: "), unbound.unavailableReason());
        assertTrue(unbound.unavailableReason().contains("lacks [cuMemAlloc_v2]"), unbound.unavailableReason());
        IllegalStateException use = assertThrows(IllegalStateException.class, () -> unbound.device(0));
        assertTrue(use.getMessage().startsWith("CUDA is not usable: driver too old"), use.getMessage());
    }
}
