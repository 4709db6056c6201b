package dev.ember.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** Packs kernel arguments into the {@code void**} array cuLaunchKernel takes. */
final class KernelArgs {

    private KernelArgs() {}

    static MemorySegment pack(Arena a, Object... args) {
        MemorySegment params = a.allocate(ValueLayout.ADDRESS, Math.max(1, args.length));
        for (int i = 0; i < args.length; i++) {
            MemorySegment slot = switch (args[i]) {
                case Long v -> a.allocateFrom(ValueLayout.JAVA_LONG, v);
                case Integer v -> a.allocateFrom(ValueLayout.JAVA_INT, v);
                case Float v -> a.allocateFrom(ValueLayout.JAVA_FLOAT, v);
                case Double v -> a.allocateFrom(ValueLayout.JAVA_DOUBLE, v);
                case MemorySegment s -> {
                    MemorySegment copy = a.allocate(s.byteSize(), 16);
                    copy.copyFrom(s);
                    yield copy;
                }
                case null -> throw new IllegalArgumentException("kernel argument " + i + " is null");
                default -> throw new IllegalArgumentException("kernel argument " + i + " has unsupported type "
                        + args[i].getClass().getSimpleName());
            };
            params.setAtIndex(ValueLayout.ADDRESS, i, slot);
        }
        return params;
    }
}
