package dev.ember.core.backend;

import dev.ember.core.Device;

/** One line about one device, for {@code ember devices}. */
public record DeviceInfo(Device device, String name, String details) {
    @Override
    public String toString() { return device + "  " + name + (details.isEmpty() ? "" : "  " + details); }
}
