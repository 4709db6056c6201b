package dev.ember.core.dispatch;

import dev.ember.core.Tensor;

/** Hands each outermost op call to the active {@link Tracer}, if any. */
final class TracingLayer implements DispatchLayer {

    private static final ThreadLocal<Tracer[]> ACTIVE = ThreadLocal.withInitial(() -> new Tracer[1]);
    private static final ThreadLocal<int[]> DEPTH = ThreadLocal.withInitial(() -> new int[1]);

    static Autocast.Guard begin(Tracer t) {
        Tracer[] cell = ACTIVE.get();
        Tracer prev = cell[0];
        cell[0] = t;
        return () -> cell[0] = prev;
    }

    @Override
    public Tensor[] call(OpCall call, Next next) {
        Tracer t = ACTIVE.get()[0];
        if (t == null) return next.call(call);
        int[] depth = DEPTH.get();
        depth[0]++;
        Tensor[] out;
        try {
            out = next.call(call);
        } finally {
            depth[0]--;
        }
        if (depth[0] == 0) t.record(call.op(), call.attrs(), call.inputs(), out);
        return out;
    }
}
