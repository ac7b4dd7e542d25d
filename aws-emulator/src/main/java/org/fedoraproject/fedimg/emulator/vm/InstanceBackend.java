package org.fedoraproject.fedimg.emulator.vm;

import java.util.Locale;

/**
 * How the emulator boots an instance. {@code BASH} (the default, fast, for unit and service tests) runs its
 * user-data with the host's bash; {@code QEMU} boots the bytes of its root volume in a virtual machine
 * ({@link QemuHost} says whether this host can).
 */
public enum InstanceBackend {
    BASH, QEMU;

    /** {@code bash} or {@code qemu}. */
    public static InstanceBackend named(String name) {
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("instance backend is bash or qemu, not " + name);
        }
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
