package org.fedoraproject.fedimg.emulator.vm;

import java.time.Duration;
import java.util.Objects;

/**
 * How the emulator runs instances: the backend; for bash, how long a user-data script may run; for qemu, how
 * many VMs at once, the guest ssh port each instance's loopback address forwards, and how long the firmware
 * may take before a kernel must show on the console (else the status checks are impaired).
 */
public record InstanceOptions(InstanceBackend backend, Duration userDataTimeout, int maxVms, int sshPort,
        Duration kernelBound) {

    public InstanceOptions {
        Objects.requireNonNull(backend);
        Objects.requireNonNull(userDataTimeout);
        Objects.requireNonNull(kernelBound);
        if (maxVms < 1) {
            throw new IllegalArgumentException("at least one VM at a time");
        }
        if (sshPort < 1 || sshPort > 65535) {
            throw new IllegalArgumentException("ssh port " + sshPort);
        }
    }

    /** bash, 15-minute scripts; for qemu 2 VMs at once, ssh on port 22, 60 s for the firmware. */
    public static InstanceOptions defaults() {
        return new InstanceOptions(InstanceBackend.BASH, Duration.ofMinutes(15), 2, 22, Duration.ofSeconds(60));
    }

    public InstanceOptions withBackend(InstanceBackend b) {
        return new InstanceOptions(b, userDataTimeout, maxVms, sshPort, kernelBound);
    }

    public InstanceOptions withUserDataTimeout(Duration t) {
        return new InstanceOptions(backend, t, maxVms, sshPort, kernelBound);
    }

    public InstanceOptions withMaxVms(int n) {
        return new InstanceOptions(backend, userDataTimeout, n, sshPort, kernelBound);
    }

    public InstanceOptions withSshPort(int port) {
        return new InstanceOptions(backend, userDataTimeout, maxVms, port, kernelBound);
    }

    public InstanceOptions withKernelBound(Duration d) {
        return new InstanceOptions(backend, userDataTimeout, maxVms, sshPort, d);
    }
}
