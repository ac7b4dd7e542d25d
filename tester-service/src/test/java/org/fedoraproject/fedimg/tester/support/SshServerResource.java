package org.fedoraproject.fedimg.tester.support;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.fedoraproject.fedimg.testing.ssh.SshStandIn;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * fedimg-testing's {@link SshStandIn} as a Quarkus test resource: the real SSH server standing in for the test
 * instance's sshd, on 127.0.0.1 (the emulator's public address of an instance) and on the private addresses of
 * {@link TestNetwork}'s subnet, and the tester pointed at it. The ssh user-data ({@link Scripts#SSH_USER_DATA})
 * prints the server's host key fingerprint on the "console", as cloud-init would; tests can change what it prints.
 */
public class SshServerResource implements QuarkusTestResourceLifecycleManager {

    private static volatile SshStandIn current;
    private SshStandIn server;

    /** The running server's host key fingerprint. */
    public static String hostKeyFingerprint() {
        return current.hostKeyFingerprint();
    }

    /** Every login to the running server ({@code "fedora RSA to 127.0.1.4"}), live. */
    public static List<String> logins() {
        return current.logins();
    }

    /** Every command the running server was asked to run, live. */
    public static List<String> commands() {
        return current.commands();
    }

    /** The user-data of ssh-mode instances prints these fingerprints the way cloud-init does. */
    public static void consoleShowsFingerprint(String fp) {
        Scripts.write(Scripts.SSH_USER_DATA, SshStandIn.userDataPrintingFingerprint(fp));
    }

    /** The user-data of ssh-mode instances prints no fingerprint (an image whose cloud-init does not). */
    public static void consoleShowsNoFingerprint() {
        Scripts.write(Scripts.SSH_USER_DATA, SshStandIn.userDataPrintingNoFingerprint());
    }

    @Override
    public Map<String, String> start() {
        // the instances' public address, and every private one of the test subnet
        server = SshStandIn.start(Stream.concat(Stream.of("127.0.0.1"), TestNetwork.privateAddresses().stream()).toList());
        current = server;
        return server.testerSettings(Scripts.SSH_USER_DATA);
    }

    @Override
    public void stop() {
        if (server != null) {
            server.close();
        }
    }
}
