package dev.ember.core.backend;

import dev.ember.core.Device;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.logging.Logger;

/** The backends on the class path, found once through {@link ServiceLoader}. */
public final class Backends {

    private static final Logger LOG = Logger.getLogger(Backends.class.getName());
    private static volatile List<Backend> all;
    private static volatile List<String> loadErrors = List.of();
    private static volatile Device best;

    private Backends() {}

    public static List<Backend> all() {
        List<Backend> b = all;
        if (b == null) {
            synchronized (Backends.class) {
                if (all == null) {
                    List<Backend> found = new ArrayList<>();
                    List<String> errors = new ArrayList<>();
                    var it = ServiceLoader.load(Backend.class).iterator();
                    while (true) {
                        try {
                            if (!it.hasNext()) break;
                            found.add(it.next());
                        } catch (ServiceConfigurationError | LinkageError e) {
                            errors.add(e.getMessage());
                        }
                    }
                    found.sort(Comparator.comparingInt(Backend::priority).reversed());
                    loadErrors = List.copyOf(errors);
                    all = List.copyOf(found);
                }
                b = all;
            }
        }
        return b;
    }

    /** Messages of backends that were found but failed to load. */
    public static List<String> loadErrors() {
        all();
        return loadErrors;
    }

    /** The backend of a device type, or null if none is installed. */
    public static Backend ofType(String type) {
        for (Backend b : all()) if (b.deviceType().equals(type)) return b;
        return null;
    }

    /** Devices already checked: allocation and every kernel launch look their backend up here. */
    private static final java.util.concurrent.ConcurrentHashMap<Device, Backend> CHECKED = new java.util.concurrent.ConcurrentHashMap<>();

    public static Backend forDevice(Device d) {
        Backend b = CHECKED.get(d);
        if (b == null) {
            b = check(d);
            CHECKED.put(d, b);
        }
        return b;
    }

    private static Backend check(Device d) {
        Backend b = ofType(d.type());
        if (b == null) {
            throw new IllegalStateException("no backend for device " + d + " is installed"
                    + (d.type().equals("cuda") ? " (add ember-cuda to the class path)" : "")
                    + "; installed: " + all().stream().map(Backend::deviceType).toList());
        }
        if (!b.isAvailable()) {
            throw new IllegalStateException("device " + d + " is not usable: " + b.unavailableReason());
        }
        int n = (int) b.devices().stream().filter(i -> i.device().type().equals(d.type())).count();
        if (d.index() >= n) {
            throw new IllegalStateException("device " + d + " does not exist: " + b.deviceType() + " has " + n + " device(s)");
        }
        return b;
    }

    /** The first device of the highest-priority available backend; logged once with the reason. */
    public static Device best() {
        Device d = best;
        if (d != null) return d;
        synchronized (Backends.class) {
            if (best != null) return best;
            StringBuilder why = new StringBuilder();
            for (Backend b : all()) {
                if (b.isAvailable() && !b.devices().isEmpty()) {
                    best = b.devices().get(0).device();
                    break;
                }
                why.append(b.deviceType()).append(": ").append(b.unavailableReason()).append("; ");
            }
            if (best == null) throw new IllegalStateException("no usable device: " + why);
            if (!best.isCpu()) {
                LOG.info("using " + best);
            } else {
                LOG.info("using the CPU" + (why.isEmpty() ? "" : " (" + why.substring(0, why.length() - 2) + ")")
                        + (ofType("cuda") == null ? " (no CUDA backend installed)" : ""));
            }
            return best;
        }
    }
}
