package dev.ember.core;

import dev.ember.core.backend.Backend;
import dev.ember.core.backend.Backends;

import java.util.Objects;

/**
 * A place where tensors live and ops run: {@code cpu} or {@code cuda:N}.
 *
 * <pre>{@code
 * Device d = Device.best();          // a working CUDA GPU if there is one, else the CPU
 * Tensor x = Tensor.randn(gen, 3, 3).to(d);
 * }</pre>
 */
public record Device(String type, int index) {

    public static final Device CPU = new Device("cpu", 0);

    public Device {
        Objects.requireNonNull(type, "type");
        if (index < 0) throw new IllegalArgumentException("device index must be >= 0, got " + index);
    }

    public static Device cpu() { return CPU; }

    public static Device cuda(int index) { return new Device("cuda", index); }

    /** Parses {@code cpu}, {@code cuda}, {@code cuda:1}. */
    public static Device parse(String spec) {
        String s = spec.trim().toLowerCase();
        int colon = s.indexOf(':');
        if (colon < 0) return new Device(s, 0);
        try {
            return new Device(s.substring(0, colon), Integer.parseInt(s.substring(colon + 1)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad device '" + spec + "': expected cpu, cuda or cuda:N");
        }
    }

    /**
     * The best device present: the first usable GPU of a backend that reports one, else the CPU.
     * The choice and its reason are logged once per process.
     */
    public static Device best() { return Backends.best(); }

    public Backend backend() { return Backends.forDevice(this); }

    public boolean isCpu() { return type.equals("cpu"); }

    @Override
    public String toString() { return isCpu() ? "cpu" : type + ":" + index; }
}
