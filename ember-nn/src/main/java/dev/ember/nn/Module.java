package dev.ember.nn;

import dev.ember.core.DType;
import dev.ember.core.Device;
import dev.ember.core.Tensor;
import dev.ember.core.autograd.GradMode;
import dev.ember.core.memory.MemoryScope;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A tree of named submodules, parameters and buffers, as in PyTorch. Subclasses register their
 * pieces in the constructor and implement {@link #forward}.
 *
 * <pre>{@code
 * class TwoLayer extends Module {
 *     final Linear fc1 = register("fc1", new Linear(784, 128));
 *     final Linear fc2 = register("fc2", new Linear(128, 10));
 *     public Tensor forward(Tensor x) { return fc2.forward(fc1.forward(x).relu()); }
 * }
 * }</pre>
 *
 * State dicts use PyTorch's dotted names ({@code fc1.weight}, {@code bn.running_mean}), so
 * weights move between the two through safetensors files.
 */
public abstract class Module {

    private final Map<String, Module> children = new LinkedHashMap<>();
    private final Map<String, Parameter> parameters = new LinkedHashMap<>();
    private final Map<String, Tensor> buffers = new LinkedHashMap<>();
    private boolean training = true;

    public abstract Tensor forward(Tensor input);

    // ---------------------------------------------------------------- registration

    protected <M extends Module> M register(String name, M module) {
        checkName(name);
        children.put(name, module);
        return module;
    }

    protected Parameter parameter(String name, Tensor initial) {
        checkName(name);
        Parameter p = new Parameter(initial);
        parameters.put(name, p);
        return p;
    }

    /** A non-learnable tensor that is part of the state (running statistics, ...). */
    protected Tensor buffer(String name, Tensor initial) {
        checkName(name);
        buffers.put(name, MemoryScope.keepAlive(initial));
        return initial;
    }

    /** The buffer's current tensor (buffers may be replaced by {@link #to} or loading). */
    protected Tensor buffer(String name) { return buffers.get(name); }

    private void checkName(String name) {
        if (name.isEmpty() || name.contains(".")) throw new IllegalArgumentException("bad module member name '" + name + "'");
        if (children.containsKey(name) || parameters.containsKey(name) || buffers.containsKey(name)) {
            throw new IllegalArgumentException("'" + name + "' is already registered in " + getClass().getSimpleName());
        }
    }

    // ---------------------------------------------------------------- traversal

    public Map<String, Module> children() { return Collections.unmodifiableMap(children); }

    /** Every parameter of this module and its descendants, in registration order. */
    public List<Parameter> parameters() { return new ArrayList<>(namedParameters().values()); }

    public Map<String, Parameter> namedParameters() {
        Map<String, Parameter> out = new LinkedHashMap<>();
        collectParameters("", out);
        return out;
    }

    private void collectParameters(String prefix, Map<String, Parameter> out) {
        parameters.forEach((n, p) -> out.put(prefix + n, p));
        children.forEach((n, c) -> c.collectParameters(prefix + n + ".", out));
    }

    public Map<String, Tensor> namedBuffers() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        collectBuffers("", out);
        return out;
    }

    private void collectBuffers(String prefix, Map<String, Tensor> out) {
        buffers.forEach((n, b) -> out.put(prefix + n, b));
        children.forEach((n, c) -> c.collectBuffers(prefix + n + ".", out));
    }

    /** Calls {@code fn} on every module of the tree, children first, then this one. */
    public Module apply(Consumer<Module> fn) {
        for (Module c : children.values()) c.apply(fn);
        fn.accept(this);
        return this;
    }

    public long parameterCount() {
        long n = 0;
        var seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<Parameter, Boolean>());
        for (Parameter p : parameters()) if (seen.add(p)) n += p.data().numel(); // shared parameters count once
        return n;
    }

    // ---------------------------------------------------------------- modes and devices

    public Module train(boolean on) {
        apply(m -> m.training = on);
        return this;
    }

    public Module train() { return train(true); }

    public Module eval() { return train(false); }

    public boolean isTraining() { return training; }

    /** Moves every parameter and buffer to {@code device}; returns this. */
    public Module to(Device device) {
        apply(m -> {
            m.parameters.values().forEach(p -> p.to(device));
            m.buffers.replaceAll((n, b) -> MemoryScope.keepAlive(b.to(device)));
        });
        return this;
    }

    /** Converts floating parameters and buffers to {@code dtype}; returns this. */
    public Module to(DType dtype) {
        apply(m -> {
            m.parameters.values().forEach(p -> p.set(p.data().detach().to(dtype)));
            m.buffers.replaceAll((n, b) -> b.dtype().isFloating() ? MemoryScope.keepAlive(b.to(dtype)) : b);
        });
        return this;
    }

    public Device device() {
        for (Parameter p : parameters()) return p.data().device();
        for (Tensor b : namedBuffers().values()) return b.device();
        return Device.CPU;
    }

    public void zeroGrad() { parameters().forEach(Parameter::zeroGrad); }

    // ---------------------------------------------------------------- state dicts

    /** Parameters and buffers by dotted name (the tensors themselves, not copies). */
    public Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        namedParameters().forEach((n, p) -> out.put(n, p.data()));
        out.putAll(namedBuffers());
        return out;
    }

    /**
     * Copies values from {@code state} into this module's parameters and buffers. With
     * {@code strict}, any missing or unexpected name and any dtype difference is an error;
     * without it, floating values are converted to the model's dtype. Shape mismatches are
     * always errors. The error lists every problem at once.
     */
    public void loadStateDict(Map<String, Tensor> state, boolean strict) {
        Map<String, Tensor> mine = stateDict();
        List<String> missing = new ArrayList<>(), unexpected = new ArrayList<>(), mismatched = new ArrayList<>();
        for (String n : mine.keySet()) if (!state.containsKey(n)) missing.add(n);
        for (String n : state.keySet()) if (!mine.containsKey(n)) unexpected.add(n);
        for (var e : mine.entrySet()) {
            Tensor src = state.get(e.getKey());
            if (src == null) continue;
            Tensor dst = e.getValue();
            if (!Arrays.equals(src.shape(), dst.shape())) {
                mismatched.add(e.getKey() + ": file has shape " + Arrays.toString(src.shape()) + ", model has " + Arrays.toString(dst.shape()));
            } else if (src.dtype() != dst.dtype() && (strict || !(src.dtype().isFloating() && dst.dtype().isFloating()))) {
                mismatched.add(e.getKey() + ": file has dtype " + src.dtype() + ", model has " + dst.dtype());
            }
        }
        if (!mismatched.isEmpty() || (strict && (!missing.isEmpty() || !unexpected.isEmpty()))) {
            StringBuilder sb = new StringBuilder("loadStateDict into " + getClass().getSimpleName() + " failed:");
            if (!missing.isEmpty()) sb.append("\n  missing: ").append(missing);
            if (!unexpected.isEmpty()) sb.append("\n  unexpected: ").append(unexpected);
            if (!mismatched.isEmpty()) sb.append("\n  mismatched:\n    ").append(String.join("\n    ", mismatched));
            throw new IllegalArgumentException(sb.toString());
        }
        try (var off = GradMode.disable()) {
            for (var e : mine.entrySet()) {
                Tensor src = state.get(e.getKey());
                if (src != null) e.getValue().copy_(src);
            }
        }
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(getClass().getSimpleName());
        if (!children.isEmpty()) {
            sb.append("(\n");
            children.forEach((n, c) -> sb.append("  (").append(n).append("): ").append(c.toString().replace("\n", "\n  ")).append('\n'));
            sb.append(')');
        } else if (!parameters.isEmpty()) {
            sb.append('(');
            List<String> parts = new ArrayList<>();
            parameters.forEach((n, p) -> parts.add(n + "=" + Arrays.toString(p.data().shape())));
            sb.append(String.join(", ", parts)).append(')');
        }
        return sb.toString();
    }
}
