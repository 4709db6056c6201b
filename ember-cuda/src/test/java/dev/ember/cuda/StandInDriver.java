package dev.ember.cuda;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Builds src/test/c/libcuda_standin.c with the system C compiler into a folder as
 * {@code libcuda.so.1}, and calls its test hooks. Null (with a printed reason) where no C
 * compiler exists.
 */
final class StandInDriver {

    final Path folder;
    final SymbolLookup lookup;

    private StandInDriver(Path folder) {
        this.folder = folder;
        this.lookup = SymbolLookup.libraryLookup(folder.resolve("libcuda.so.1"), Arena.global());
    }

    /** Why a stand-in cannot be built here, or null when it can. */
    static String unavailableReason() {
        if (!System.getProperty("os.name", "").toLowerCase().contains("linux")) return "the stand-in driver is built for Linux only";
        if (compiler() == null) return "no C compiler (cc or gcc) on PATH to build the stand-in libcuda.so.1";
        return null;
    }

    static StandInDriver build(Path dir, String... defines) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Path src = Path.of("src/test/c/libcuda_standin.c").toAbsolutePath();
        List<String> cmd = new ArrayList<>(List.of(compiler(), "-shared", "-fPIC", "-O1", "-Wl,-z,noexecstack"));
        for (String d : defines) cmd.add("-D" + d);
        cmd.addAll(List.of("-o", dir.resolve("libcuda.so.1").toString(), src.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("building the stand-in driver failed: " + cmd + "\n" + out);
        }
        return new StandInDriver(dir);
    }

    /** Builds src/test/c/{@code source} into {@code dir/fileName} (a stand-in cuBLASLt, NVRTC or cuDNN) and opens it. */
    static SymbolLookup buildLibrary(Path dir, String source, String fileName) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Path src = Path.of("src/test/c", source).toAbsolutePath();
        List<String> cmd = List.of(compiler(), "-shared", "-fPIC", "-O1", "-Wl,-z,noexecstack", "-o", dir.resolve(fileName).toString(),
                src.toString());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("building " + fileName + " failed: " + cmd + "\n" + out);
        }
        return SymbolLookup.libraryLookup(dir.resolve(fileName), Arena.global());
    }

    private static String compiler() {
        for (String c : new String[] {"cc", "gcc"}) {
            for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
                if (Files.isExecutable(Path.of(dir, c))) return c;
            }
        }
        return null;
    }

    CudaLibraries libraries() { return new CudaLibraries(CudaLibraries.Config.only(folder)); }

    void setNoDevice(boolean v) { callInt("standin_set_no_device", v ? 1 : 0); }

    void setDriverVersion(int v) { callInt("standin_set_driver_version", v); }

    void setAllocLimit(long bytes) {
        try {
            handle("standin_set_alloc_limit", FunctionDescriptor.ofVoid(JAVA_LONG)).invokeExact(bytes);
        } catch (Throwable t) { throw new IllegalStateException(t); }
    }

    long liveAllocations() {
        try {
            return (long) handle("standin_live_allocs", FunctionDescriptor.of(JAVA_LONG)).invokeExact();
        } catch (Throwable t) { throw new IllegalStateException(t); }
    }

    MethodHandle handle(String name, FunctionDescriptor fd) {
        return Linker.nativeLinker().downcallHandle(lookup.find(name).orElseThrow(), fd);
    }

    MethodHandle lastLaunch() {
        return handle("standin_last_launch", FunctionDescriptor.ofVoid(ADDRESS, ADDRESS, ADDRESS));
    }

    private void callInt(String name, int v) {
        try {
            handle(name, FunctionDescriptor.ofVoid(JAVA_INT)).invokeExact(v);
        } catch (Throwable t) { throw new IllegalStateException(t); }
    }
}
