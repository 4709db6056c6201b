package dev.ember.core.ops;

import dev.ember.core.Device;

/** Attributes of an op with no tensor inputs (creation ops), which must say where to run. */
public interface DeviceAttrs {
    Device device();
}
