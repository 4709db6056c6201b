package dev.ember.core.backend;

import dev.ember.core.DType;
import dev.ember.core.ops.Op;

import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/** A backend's kernels, keyed by op and by the dtype that selects them. */
public final class KernelTable {

    private final Map<Op<?>, EnumMap<DType, Kernel<?>>> kernels = new HashMap<>();

    public <A> KernelTable register(Op<A> op, Set<DType> dtypes, Kernel<A> kernel) {
        EnumMap<DType, Kernel<?>> byType = kernels.computeIfAbsent(op, k -> new EnumMap<>(DType.class));
        for (DType d : dtypes) byType.put(d, kernel);
        return this;
    }

    public <A> KernelTable register(Op<A> op, DType dtype, Kernel<A> kernel) {
        return register(op, EnumSet.of(dtype), kernel);
    }

    @SuppressWarnings("unchecked")
    public <A> Kernel<A> find(Op<A> op, DType dtype) {
        EnumMap<DType, Kernel<?>> byType = kernels.get(op);
        return byType == null ? null : (Kernel<A>) byType.get(dtype);
    }

    public boolean has(Op<?> op) { return kernels.containsKey(op); }

    public Set<DType> dtypes(Op<?> op) {
        EnumMap<DType, Kernel<?>> byType = kernels.get(op);
        return byType == null ? Set.of() : byType.keySet();
    }
}
