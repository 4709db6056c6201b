package dev.ember.core.autograd;

/**
 * Whether ops record the autograd graph on this thread.
 *
 * <pre>{@code
 * try (var g = GradMode.disable()) {   // like torch.no_grad()
 *     Tensor y = model.forward(x);
 * }
 * }</pre>
 */
public final class GradMode {

    private static final ThreadLocal<boolean[]> ENABLED = ThreadLocal.withInitial(() -> new boolean[] {true});

    private GradMode() {}

    public static boolean isEnabled() { return ENABLED.get()[0]; }

    /** Turns recording off until the returned guard closes. */
    public static Guard disable() { return set(false); }

    /** Turns recording on until the returned guard closes. */
    public static Guard enable() { return set(true); }

    public static Guard set(boolean enabled) {
        boolean[] cell = ENABLED.get();
        boolean previous = cell[0];
        cell[0] = enabled;
        return new Guard(cell, previous);
    }

    /** Restores the previous mode on close. */
    public static final class Guard implements AutoCloseable {
        private final boolean[] cell;
        private final boolean previous;

        private Guard(boolean[] cell, boolean previous) {
            this.cell = cell;
            this.previous = previous;
        }

        @Override
        public void close() { cell[0] = previous; }
    }
}
