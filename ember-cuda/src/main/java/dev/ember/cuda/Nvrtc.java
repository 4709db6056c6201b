package dev.ember.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.List;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * NVRTC, CUDA's run-time C++ compiler, through java.lang.foreign. It needs no GPU and no driver:
 * it turns CUDA C source into PTX (for any {@code compute_XX}) or a cubin (for a real
 * {@code sm_XX}). A failed compile is a {@link CompileException} carrying NVRTC's log.
 *
 * <pre>{@code
 * Nvrtc nvrtc = Nvrtc.bind(CudaLibraries.fromEnvironment().find(CudaLibraries.NVRTC).lookup());
 * byte[] ptx = nvrtc.compile(src, "scale.cu", List.of("--gpu-architecture=compute_90"), false);
 * }</pre>
 */
public final class Nvrtc {

    /** nvrtcResult values (nvrtc.h, checked by AbiHeaderTest). */
    static final int ERROR_INVALID_OPTION = 5, ERROR_COMPILATION = 6;

    /** A compile that NVRTC rejected; {@link #log()} is NVRTC's program log. */
    public static final class CompileException extends RuntimeException {
        private final String log;

        CompileException(String message, String log) {
            super(message + (log.isBlank() ? "" : "\n" + log.strip()));
            this.log = log;
        }

        public String log() { return log; }
    }

    private static final Linker LINKER = Linker.nativeLinker();

    private final MethodHandle version, create, destroy, compile, ptxSize, ptx, cubinSize, cubin, logSize, log, errorString,
            numArchs, archs;

    private Nvrtc(SymbolLookup lib) {
        version = bind(lib, "nvrtcVersion", ADDRESS, ADDRESS);
        create = bind(lib, "nvrtcCreateProgram", ADDRESS, ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS);
        destroy = bind(lib, "nvrtcDestroyProgram", ADDRESS);
        compile = bind(lib, "nvrtcCompileProgram", ADDRESS, JAVA_INT, ADDRESS);
        ptxSize = bind(lib, "nvrtcGetPTXSize", ADDRESS, ADDRESS);
        ptx = bind(lib, "nvrtcGetPTX", ADDRESS, ADDRESS);
        cubinSize = bind(lib, "nvrtcGetCUBINSize", ADDRESS, ADDRESS);
        cubin = bind(lib, "nvrtcGetCUBIN", ADDRESS, ADDRESS);
        logSize = bind(lib, "nvrtcGetProgramLogSize", ADDRESS, ADDRESS);
        log = bind(lib, "nvrtcGetProgramLog", ADDRESS, ADDRESS);
        numArchs = bind(lib, "nvrtcGetNumSupportedArchs", ADDRESS);
        archs = bind(lib, "nvrtcGetSupportedArchs", ADDRESS);
        errorString = LINKER.downcallHandle(lib.find("nvrtcGetErrorString").orElseThrow(() -> missing("nvrtcGetErrorString")),
                FunctionDescriptor.of(ADDRESS, JAVA_INT));
    }

    /**
     * NVRTC as found by {@link CudaLibraries}, with its builtins library (which NVRTC opens by
     * bare name when it compiles) loaded first from the same folder, so a wheel's or a toolkit's
     * NVRTC works without LD_LIBRARY_PATH.
     */
    public static Nvrtc load(CudaLibraries.Found found) {
        if (found.location() != null) {
            java.nio.file.Path file = java.nio.file.Path.of(found.location());
            java.nio.file.Path folder = file.getParent();
            if (folder != null && java.nio.file.Files.isDirectory(folder)) {
                try (var ds = java.nio.file.Files.newDirectoryStream(folder, "libnvrtc-builtins.so.*")) {
                    for (java.nio.file.Path b : ds) {
                        try {
                            SymbolLookup.libraryLookup(b, Arena.global());
                        } catch (IllegalArgumentException ignored) {
                            // NVRTC then reports the builtins it could not open when it compiles
                        }
                    }
                } catch (java.io.IOException ignored) {
                    // an unreadable folder: NVRTC falls back to the loader's own search
                }
            }
        }
        return bind(found.lookup());
    }

    /** Binds NVRTC's functions from {@code lib}; throws naming a function the library lacks. */
    public static Nvrtc bind(SymbolLookup lib) { return new Nvrtc(lib); }

    private static UnsupportedOperationException missing(String name) {
        return new UnsupportedOperationException("the NVRTC library found lacks " + name + "; install NVRTC 12 or 13");
    }

    private static MethodHandle bind(SymbolLookup lib, String name, MemoryLayout... args) {
        return LINKER.downcallHandle(lib.find(name).orElseThrow(() -> missing(name)), FunctionDescriptor.of(JAVA_INT, args));
    }

    /** NVRTC's version as {major, minor}. */
    public int[] version() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment major = a.allocate(JAVA_INT), minor = a.allocate(JAVA_INT);
            check((int) version.invokeExact(major, minor), "nvrtcVersion");
            return new int[] {major.get(JAVA_INT, 0), minor.get(JAVA_INT, 0)};
        } catch (Throwable t) { throw rethrow(t); }
    }

    /** The {@code sm_XX} numbers this NVRTC can compile for, ascending (for example 75, 80, ..., 120). */
    public int[] supportedArchitectures() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment n = a.allocate(JAVA_INT);
            check((int) numArchs.invokeExact(n), "nvrtcGetNumSupportedArchs");
            MemorySegment out = a.allocate(JAVA_INT, Math.max(1, n.get(JAVA_INT, 0)));
            check((int) archs.invokeExact(out), "nvrtcGetSupportedArchs");
            int[] all = out.toArray(JAVA_INT);
            return java.util.Arrays.copyOf(all, n.get(JAVA_INT, 0));
        } catch (Throwable t) { throw rethrow(t); }
    }

    /**
     * Compiles {@code source} with {@code options} (for example {@code --gpu-architecture=sm_90},
     * {@code -default-device}). Returns the cubin when {@code wantCubin} (the architecture must
     * then be a real {@code sm_XX}), else the PTX text without its terminating NUL.
     */
    public byte[] compile(String source, String name, List<String> options, boolean wantCubin) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment progOut = a.allocate(ADDRESS);
            check((int) create.invokeExact(progOut, a.allocateFrom(source), a.allocateFrom(name), 0, MemorySegment.NULL,
                    MemorySegment.NULL), "nvrtcCreateProgram(" + name + ")");
            MemorySegment prog = progOut.get(ADDRESS, 0);
            try {
                MemorySegment opts = a.allocate(ADDRESS, Math.max(1, options.size()));
                for (int i = 0; i < options.size(); i++) opts.setAtIndex(ADDRESS, i, a.allocateFrom(options.get(i)));
                int rc = (int) compile.invokeExact(prog, options.size(), opts);
                if (rc != 0) {
                    throw new CompileException("nvrtcCompileProgram(" + name + ", " + options + ") failed: " + errorName(rc)
                            + " (" + rc + ")", programLog(a, prog));
                }
                MemorySegment size = a.allocate(JAVA_LONG);
                check((int) (wantCubin ? cubinSize : ptxSize).invokeExact(prog, size), wantCubin ? "nvrtcGetCUBINSize" : "nvrtcGetPTXSize");
                long n = size.get(JAVA_LONG, 0);
                MemorySegment buf = a.allocate(Math.max(1, n));
                check((int) (wantCubin ? cubin : ptx).invokeExact(prog, buf), wantCubin ? "nvrtcGetCUBIN" : "nvrtcGetPTX");
                long len = wantCubin ? n : Math.max(0, n - 1); // the PTX size counts its NUL
                return buf.asSlice(0, len).toArray(JAVA_BYTE);
            } finally {
                check((int) destroy.invokeExact(progOut), "nvrtcDestroyProgram");
            }
        } catch (Throwable t) { throw rethrow(t); }
    }

    private String programLog(Arena a, MemorySegment prog) throws Throwable {
        MemorySegment size = a.allocate(JAVA_LONG);
        if ((int) logSize.invokeExact(prog, size) != 0) return "";
        long n = size.get(JAVA_LONG, 0);
        if (n <= 1) return "";
        MemorySegment buf = a.allocate(n);
        if ((int) log.invokeExact(prog, buf) != 0) return "";
        return buf.getString(0);
    }

    /** NVRTC's name for a result code, for example {@code NVRTC_ERROR_COMPILATION}. */
    public String errorName(int status) {
        try {
            MemorySegment p = (MemorySegment) errorString.invokeExact(status);
            return p.equals(MemorySegment.NULL) ? "NVRTC_ERROR_" + status : p.reinterpret(256).getString(0);
        } catch (Throwable t) {
            return "NVRTC_ERROR_" + status;
        }
    }

    private void check(int status, String call) {
        if (status != 0) throw new CudaException(call, status, errorName(status), "NVRTC call failed");
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) return r;
        if (t instanceof Error e) throw e;
        return new IllegalStateException(t);
    }
}
