package dev.ember.cuda;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.SymbolLookup;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Finds NVIDIA's shared libraries without downloading or building anything, and remembers every
 * place it looked so a missing library is reported with the full search.
 *
 * <p>Order: an explicit override ({@code EMBER_CUDA_PATH} or the system property
 * {@code ember.cuda.path}: folders or files, separated by the path separator), the dynamic
 * loader ({@code LD_LIBRARY_PATH}, the ld.so cache), {@code CUDA_HOME} and {@code /usr/local/cuda},
 * then the library folders of NVIDIA's Python wheels ({@code nvidia/<pkg>/lib}) in any
 * site-packages.
 *
 * <pre>{@code
 * CudaLibraries.Found cuda = CudaLibraries.fromEnvironment().find(CudaLibraries.DRIVER);
 * if (!cuda.isPresent()) System.out.println(cuda.missingReason());
 * }</pre>
 */
public final class CudaLibraries {

    /** System property that overrides the search; the environment variable is {@code EMBER_CUDA_PATH}. */
    public static final String PATH_PROPERTY = "ember.cuda.path";

    /** One library under the names it may have, most preferred first. */
    public record Library(String what, List<String> names) {}

    private static final boolean WINDOWS = System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows");

    public static final Library DRIVER = new Library("the CUDA driver",
            WINDOWS ? List.of("nvcuda.dll") : List.of("libcuda.so.1"));
    public static final Library CUBLAS = new Library("cuBLAS",
            WINDOWS ? List.of("cublas64_13.dll", "cublas64_12.dll") : List.of("libcublas.so.13", "libcublas.so.12"));
    public static final Library CUBLAS_LT = new Library("cuBLASLt",
            WINDOWS ? List.of("cublasLt64_13.dll", "cublasLt64_12.dll") : List.of("libcublasLt.so.13", "libcublasLt.so.12"));
    public static final Library NVRTC = new Library("NVRTC",
            WINDOWS ? List.of("nvrtc64_130_0.dll", "nvrtc64_120_0.dll") : List.of("libnvrtc.so.13", "libnvrtc.so.12"));
    public static final Library CUDNN = new Library("cuDNN 9",
            WINDOWS ? List.of("cudnn64_9.dll") : List.of("libcudnn.so.9"));

    /**
     * Where to look.
     *
     * @param overrides    folders or files named by the user, searched first
     * @param useLoader    whether to ask the dynamic loader by bare name
     * @param cudaHomes    toolkit roots ({@code CUDA_HOME}, {@code /usr/local/cuda})
     * @param sitePackages Python site-packages folders that may hold NVIDIA's wheels
     */
    public record Config(List<Path> overrides, boolean useLoader, List<Path> cudaHomes, List<Path> sitePackages) {
        public Config {
            overrides = List.copyOf(overrides);
            cudaHomes = List.copyOf(cudaHomes);
            sitePackages = List.copyOf(sitePackages);
        }

        /** Only the given folders or files: what tests use to load a stand-in library. */
        public static Config only(Path... paths) { return new Config(List.of(paths), false, List.of(), List.of()); }
    }

    /**
     * The outcome of one search.
     *
     * @param library  what was looked for
     * @param location the file or loader name that was opened; null when missing
     * @param lookup   its symbols; null when missing
     * @param searched every place tried, in order, each with what happened there
     */
    public record Found(Library library, String location, SymbolLookup lookup, List<String> searched) {
        public boolean isPresent() { return lookup != null; }

        /** One line: which file was not found where, for example {@code libcuda.so.1 not found: ...}. */
        public String missingReason() {
            return library.names().getFirst() + " not found (" + library.what() + "); searched: " + String.join("; ", searched);
        }
    }

    private final Config config;

    public CudaLibraries(Config config) { this.config = config; }

    /** The search the environment asks for: override, loader, CUDA_HOME and /usr/local/cuda, site-packages. */
    public static CudaLibraries fromEnvironment() { return new CudaLibraries(environmentConfig()); }

    public Config config() { return config; }

    static Config environmentConfig() {
        List<Path> overrides = new ArrayList<>();
        for (String v : new String[] {System.getProperty(PATH_PROPERTY), System.getenv("EMBER_CUDA_PATH")}) {
            if (v == null || v.isBlank()) continue;
            for (String p : v.split(java.io.File.pathSeparator)) if (!p.isBlank()) overrides.add(Path.of(p.trim()));
        }
        Set<Path> homes = new LinkedHashSet<>();
        for (String env : new String[] {"CUDA_HOME", "CUDA_PATH"}) {
            String v = System.getenv(env);
            if (v != null && !v.isBlank()) homes.add(Path.of(v));
        }
        homes.add(Path.of("/usr/local/cuda"));
        return new Config(overrides, true, List.copyOf(homes), sitePackages());
    }

    /** Opens the first name of {@code lib} found, in the search order; never throws. */
    public Found find(Library lib) {
        List<String> searched = new ArrayList<>();
        if (config.overrides().isEmpty() && config.useLoader()) searched.add(PATH_PROPERTY + " / EMBER_CUDA_PATH: not set");
        for (Path p : config.overrides()) {
            Found f = tryFolderOrFile(lib, p, searched);
            if (f != null) return f;
        }
        if (config.useLoader()) {
            for (String name : lib.names()) {
                try {
                    SymbolLookup l = SymbolLookup.libraryLookup(name, Arena.global());
                    return new Found(lib, name + " (dynamic loader)", l, List.copyOf(searched));
                } catch (IllegalArgumentException e) {
                    searched.add("dynamic loader: " + name + " not found (LD_LIBRARY_PATH="
                            + orUnset(System.getenv("LD_LIBRARY_PATH")) + ", ld.so cache)");
                }
            }
        }
        for (Path home : config.cudaHomes()) {
            for (String sub : new String[] {"lib64", "lib", "targets/x86_64-linux/lib", "targets/sbsa-linux/lib", "bin"}) {
                Path dir = home.resolve(sub);
                if (!Files.isDirectory(dir)) continue;
                Found f = tryFolderOrFile(lib, dir, searched);
                if (f != null) return f;
            }
            if (!Files.isDirectory(home)) searched.add(home + ": no such folder");
        }
        for (Path site : config.sitePackages()) {
            for (Path dir : wheelLibFolders(site)) {
                Found f = tryFolderOrFile(lib, dir, searched);
                if (f != null) return f;
            }
        }
        if (config.sitePackages().isEmpty() && config.useLoader()) searched.add("no Python site-packages with NVIDIA wheels found");
        return new Found(lib, null, null, List.copyOf(searched));
    }

    private static Found tryFolderOrFile(Library lib, Path p, List<String> searched) {
        List<Path> files = new ArrayList<>();
        if (Files.isDirectory(p)) {
            for (String n : lib.names()) files.add(p.resolve(n));
        } else if (lib.names().contains(p.getFileName() == null ? "" : p.getFileName().toString())) {
            files.add(p);
        } else {
            if (!Files.exists(p)) searched.add(p + ": does not exist");
            return null;
        }
        for (Path f : files) {
            if (!Files.exists(f)) {
                searched.add(f + ": no such file");
                continue;
            }
            try {
                SymbolLookup l = SymbolLookup.libraryLookup(f, Arena.global());
                return new Found(lib, f.toString(), l, List.copyOf(searched));
            } catch (IllegalArgumentException e) {
                searched.add(f + ": exists but could not be loaded (" + e.getMessage() + ")");
            }
        }
        return null;
    }

    /** {@code nvidia/<pkg>/lib} folders (including {@code nvidia/cu13/lib}) under one site-packages. */
    static List<Path> wheelLibFolders(Path site) {
        List<Path> out = new ArrayList<>();
        Path nv = site.resolve("nvidia");
        if (!Files.isDirectory(nv)) return out;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(nv)) {
            for (Path pkg : ds) {
                Path lib = pkg.resolve("lib");
                if (Files.isDirectory(lib)) out.add(lib);
            }
        } catch (IOException e) {
            return out;
        }
        out.sort(null);
        return out;
    }

    /** Site-packages folders from PYTHONPATH, virtual and conda environments, and the usual system places. */
    static List<Path> sitePackages() {
        Set<Path> roots = new LinkedHashSet<>();
        String pp = System.getenv("PYTHONPATH");
        if (pp != null) for (String p : pp.split(java.io.File.pathSeparator)) if (!p.isBlank()) roots.add(Path.of(p));
        List<Path> prefixes = new ArrayList<>();
        for (String env : new String[] {"VIRTUAL_ENV", "CONDA_PREFIX"}) {
            String v = System.getenv(env);
            if (v != null && !v.isBlank()) prefixes.add(Path.of(v));
        }
        prefixes.add(Path.of(System.getProperty("user.home"), ".local"));
        prefixes.add(Path.of("/usr/local"));
        prefixes.add(Path.of("/usr"));
        prefixes.add(Path.of("/opt/conda"));
        for (Path prefix : prefixes) {
            Path lib = prefix.resolve("lib");
            if (!Files.isDirectory(lib)) continue;
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(lib, "python3*")) {
                for (Path py : ds) {
                    for (String kind : new String[] {"site-packages", "dist-packages"}) {
                        Path s = py.resolve(kind);
                        if (Files.isDirectory(s.resolve("nvidia"))) roots.add(s);
                    }
                }
            } catch (IOException ignored) {
                // an unreadable folder is simply not searched
            }
        }
        List<Path> out = new ArrayList<>();
        for (Path r : roots) if (Files.isDirectory(r.resolve("nvidia"))) out.add(r);
        return out;
    }

    private static String orUnset(String v) { return v == null || v.isBlank() ? "unset" : v; }
}
