package dev.ember.cuda;

import dev.ember.core.backend.Backend;
import dev.ember.core.backend.Backends;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class CudaLibrariesTest {

    @Test
    void aMissingDriverIsReportedWithEveryPlaceSearched(@TempDir Path empty) {
        Path home = empty.resolve("cuda-home");
        CudaLibraries libs = new CudaLibraries(new CudaLibraries.Config(List.of(empty), false, List.of(home), List.of()));
        CudaLibraries.Found f = libs.find(CudaLibraries.DRIVER);
        assertFalse(f.isPresent());
        assertTrue(f.searched().contains(empty.resolve("libcuda.so.1") + ": no such file"), f.searched().toString());
        assertTrue(f.searched().contains(home + ": no such folder"), f.searched().toString());
        CudaBackend b = new CudaBackend(libs);
        assertFalse(b.isAvailable());
        assertTrue(b.unavailableReason().startsWith("libcuda.so.1 not found: no NVIDIA driver"), b.unavailableReason());
        assertTrue(b.unavailableReason().contains(empty.toString()), b.unavailableReason());
        assertTrue(b.devices().isEmpty());
    }

    @Test
    void thisMachinesSearchIsReportedWhenNoDriverIsInstalled() {
        CudaBackend b = new CudaBackend();
        if (b.isAvailable()) {
            System.out.println("CudaLibrariesTest: a CUDA driver is installed here; the no-driver message is checked with an empty search instead");
            return;
        }
        String r = b.unavailableReason();
        System.out.println("CUDA unavailable here: " + r);
        if (r.startsWith("libcuda.so.1 not found")) {
            assertTrue(r.contains("dynamic loader: libcuda.so.1 not found"), r);
            assertTrue(r.contains("/usr/local/cuda"), r);
        }
    }

    @Test
    void theServiceLoaderFindsTheCudaBackendAboveTheCpu() {
        Backend cuda = Backends.ofType("cuda");
        assertNotNull(cuda, "ember-cuda registers its backend in META-INF/services");
        assertInstanceOf(CudaBackend.class, cuda);
        assertTrue(cuda.priority() > Backends.ofType("cpu").priority());
        if (!cuda.isAvailable()) {
            assertEquals("cpu", Backends.best().type(), "without a GPU the best device is the CPU");
        }
    }

    @Test
    void nvidiaWheelFoldersInSitePackagesAreSearched(@TempDir Path site) throws Exception {
        String why = StandInDriver.unavailableReason();
        assumeTrue(why == null, why);
        Path lib = site.resolve("nvidia/cu13/lib");
        StandInDriver.build(lib);
        Files.createDirectories(site.resolve("nvidia/cublas/lib"));
        CudaLibraries libs = new CudaLibraries(new CudaLibraries.Config(List.of(), false, List.of(), List.of(site)));
        CudaLibraries.Found f = libs.find(CudaLibraries.DRIVER);
        assertTrue(f.isPresent(), f.searched().toString());
        assertEquals(lib.resolve("libcuda.so.1").toString(), f.location());
        assertEquals(List.of(site.resolve("nvidia/cu13/lib"), site.resolve("nvidia/cublas/lib")),
                CudaLibraries.wheelLibFolders(site));
    }

    @Test
    void aFileThatIsNotALibraryIsReportedAsUnloadable(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("libcuda.so.1"), "not an ELF file");
        CudaLibraries.Found f = new CudaLibraries(CudaLibraries.Config.only(dir)).find(CudaLibraries.DRIVER);
        assertFalse(f.isPresent());
        assertTrue(f.searched().getFirst().contains("exists but could not be loaded"), f.searched().toString());
    }
}
