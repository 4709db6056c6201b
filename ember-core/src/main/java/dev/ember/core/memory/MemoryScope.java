package dev.ember.core.memory;

import dev.ember.core.Tensor;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Frees the temporaries of a hot loop (a training step, a batch of inference) deterministically
 * when it closes, instead of waiting for the garbage collector.
 *
 * <pre>{@code
 * for (Batch b : loader) {
 *     try (var scope = MemoryScope.open("step")) {
 *         Tensor loss = F.crossEntropy(model.forward(b.input()), b.target());
 *         loss.backward();            // parameter gradients are kept automatically
 *         opt.step();
 *         lastLoss = scope.keep(loss.detach());
 *     }
 * }
 * }</pre>
 *
 * Scopes nest per thread. Tensors made inside a scope are released when it closes unless kept
 * with {@link #keep(Tensor)}; using a released tensor raises a clear error. Gradients of leaf
 * tensors and optimizer state are kept by autograd and the optimizers themselves.
 */
public final class MemoryScope implements AutoCloseable {

    private static final ThreadLocal<ArrayDeque<MemoryScope>> STACK = ThreadLocal.withInitial(ArrayDeque::new);

    private final String name;
    private final List<Storage> owned = new ArrayList<>();
    private final Thread thread = Thread.currentThread();
    private boolean closed;

    private MemoryScope(String name) { this.name = name; }

    public static MemoryScope open() { return open("scope"); }

    public static MemoryScope open(String name) {
        MemoryScope s = new MemoryScope(name);
        STACK.get().push(s);
        return s;
    }

    static void track(Storage s) {
        MemoryScope top = STACK.get().peek();
        if (top != null) top.owned.add(s);
    }

    /** Exempts {@code t}'s memory from this and every other scope; returns {@code t}. */
    public <T extends Tensor> T keep(T t) {
        t.storage().keep();
        return t;
    }

    /** The same as {@link #keep(Tensor)}, for code that has no scope at hand. */
    public static <T extends Tensor> T keepAlive(T t) {
        t.storage().keep();
        return t;
    }

    /** Number of storages this scope will release on close (for tests and diagnostics). */
    public int trackedCount() { return owned.size(); }

    @Override
    public void close() {
        if (closed) return;
        if (Thread.currentThread() != thread) {
            throw new IllegalStateException("MemoryScope '" + name + "' must be closed on the thread that opened it");
        }
        ArrayDeque<MemoryScope> stack = STACK.get();
        if (stack.peek() != this) {
            throw new IllegalStateException("MemoryScope '" + name + "' closed out of order: close inner scopes first");
        }
        stack.pop();
        closed = true;
        for (Storage s : owned) s.releaseByScope(name);
        owned.clear();
    }
}
