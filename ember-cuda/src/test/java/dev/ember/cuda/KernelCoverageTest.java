package dev.ember.cuda;

import dev.ember.core.DType;
import dev.ember.core.backend.KernelTable;
import dev.ember.core.ops.CompositeOp;
import dev.ember.core.ops.InPlaceOp;
import dev.ember.core.ops.Op;
import dev.ember.core.ops.PortableOp;
import dev.ember.core.ops.TensorOps;
import dev.ember.core.ops.ViewOp;
import dev.ember.cpu.kernels.CpuKernels;
import dev.ember.cuda.kernels.CudaKernels;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every primitive op of core (each public static final {@link Op} field of the classes in
 * {@code dev.ember.core.ops} that is not a view, composite, portable or in-place op: those run
 * with other kernels where a backend has none of their own) has a CUDA kernel
 * registered: for F32, or where the CPU backend has no F32 kernel (index ops such as one_hot)
 * for every dtype the CPU backend has. The table is built without touching a GPU, so this runs
 * everywhere.
 */
class KernelCoverageTest {

    /** Ops that never reach a kernel: to_device copies through the backends' host copies. */
    private static final Set<Op<?>> NOT_KERNELS = Set.of(TensorOps.TO_DEVICE);

    @Test
    void everyPrimitiveOpHasACudaKernel() throws Exception {
        KernelTable cuda = CudaKernels.table(new CudaBackend());
        KernelTable cpu = CpuKernels.table();
        List<Op<?>> ops = primitiveOps();
        assertTrue(ops.size() > 40, "found only " + ops.size() + " primitive ops by reflection: " + ops);
        List<String> missing = new ArrayList<>();
        for (Op<?> op : ops) {
            Set<DType> need = cpu.dtypes(op).contains(DType.F32) || cpu.dtypes(op).isEmpty() ? Set.of(DType.F32) : cpu.dtypes(op);
            Set<DType> lacking = new TreeSet<>(need);
            lacking.removeAll(cuda.dtypes(op));
            if (!lacking.isEmpty()) missing.add(op.name() + " " + lacking);
        }
        assertTrue(missing.isEmpty(), "ops without a CUDA kernel: " + missing);
    }

    @Test
    void reflectionFindsOpsOfEveryKind() throws Exception {
        Set<String> names = new TreeSet<>();
        for (Op<?> op : primitiveOps()) names.add(op.name());
        // guards the scan itself: if it silently found nothing the coverage test would pass
        for (String expected : List.of("add", "conv2d", "pad_backward", "upsample_bilinear2d_backward", "scatter_add", "one_hot")) {
            assertTrue(names.contains(expected), "the scan of dev.ember.core.ops missed " + expected + "; found " + names);
        }
    }

    static List<Op<?>> primitiveOps() throws Exception {
        List<Op<?>> ops = new ArrayList<>();
        for (String cls : opsClasses()) {
            Class<?> c = Class.forName(cls, true, Op.class.getClassLoader());
            for (Field f : c.getDeclaredFields()) {
                int m = f.getModifiers();
                if (!Modifier.isPublic(m) || !Modifier.isStatic(m) || !Modifier.isFinal(m) || !Op.class.isAssignableFrom(f.getType())) continue;
                Op<?> op = (Op<?>) f.get(null);
                if (op instanceof ViewOp<?> || op instanceof CompositeOp<?> || op instanceof PortableOp<?> || op instanceof InPlaceOp<?>
                        || NOT_KERNELS.contains(op)) continue;
                if (!ops.contains(op)) ops.add(op);
            }
        }
        return ops;
    }

    /** The top-level class names of dev.ember.core.ops, from its directory or its jar. */
    private static List<String> opsClasses() throws IOException, URISyntaxException {
        String pkg = Op.class.getPackageName().replace('.', '/');
        URL url = Op.class.getResource("Op.class");
        List<String> names = new ArrayList<>();
        if (url.getProtocol().equals("jar")) {
            try (JarFile jar = ((JarURLConnection) url.openConnection()).getJarFile()) {
                for (Enumeration<JarEntry> e = jar.entries(); e.hasMoreElements(); ) {
                    String n = e.nextElement().getName();
                    if (n.startsWith(pkg + "/") && n.endsWith(".class") && n.indexOf('/', pkg.length() + 1) < 0 && !n.contains("$")) {
                        names.add(n.substring(0, n.length() - 6).replace('/', '.'));
                    }
                }
            }
        } else {
            try (Stream<Path> s = Files.list(Path.of(url.toURI()).getParent())) {
                s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".class") && !n.contains("$"))
                        .forEach(n -> names.add(Op.class.getPackageName() + "." + n.substring(0, n.length() - 6)));
            }
        }
        names.sort(null);
        return names;
    }
}
