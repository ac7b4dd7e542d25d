package org.fedoraproject.fedimg.tester.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.common.util.buffer.ByteArrayBuffer;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.shell.ProcessShellCommandFactory;
import org.fedoraproject.fedimg.tester.domain.HostKeyFingerprints;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * A real SSH server (Apache MINA SSHD) on loopback standing in for the test instance's sshd: it listens on
 * 127.0.0.1 (the emulator's public address of an instance) and on the private addresses of
 * {@link TestNetwork}'s subnet, and the tester is pointed at its port. Public key authentication only; each
 * login is recorded with the address it came to; exec requests run as local processes. The ssh user-data printed on the "console"
 * carries this server's host key fingerprint, as cloud-init would.
 */
public class SshServerResource implements QuarkusTestResourceLifecycleManager {

    public static final List<String> LOGINS = new CopyOnWriteArrayList<>();
    public static final List<String> COMMANDS = new CopyOnWriteArrayList<>();
    private static String fingerprint;
    private SshServer server;

    public static String hostKeyFingerprint() {
        return fingerprint;
    }

    /** The user-data of ssh-mode instances prints these fingerprints the way cloud-init does. */
    public static void consoleShowsFingerprint(String fp) {
        Scripts.write(Scripts.SSH_USER_DATA, "#!/bin/bash\necho 'ec2: -----BEGIN SSH HOST KEY FINGERPRINTS-----'\n"
                + "echo 'ec2: 256 " + fp + " root@localhost (ECDSA)'\n"
                + "echo 'ec2: -----END SSH HOST KEY FINGERPRINTS-----'\n");
    }

    /** The user-data of ssh-mode instances prints no fingerprint (an image whose cloud-init does not). */
    public static void consoleShowsNoFingerprint() {
        Scripts.write(Scripts.SSH_USER_DATA, "#!/bin/bash\necho 'ec2: no host keys printed'\n");
    }

    @Override
    public Map<String, String> start() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(256);
            KeyPair hostKey = g.generateKeyPair();
            fingerprint = fingerprint(hostKey.getPublic());
            server = SshServer.setUpDefaultServer();
            // the instances' public address, and every private one of the test subnet
            server.setHost(String.join(",", Stream.concat(Stream.of("127.0.0.1"),
                    TestNetwork.privateAddresses().stream()).toList()));
            server.setPort(0);
            server.setKeyPairProvider(KeyPairProvider.wrap(hostKey));
            server.setPasswordAuthenticator(null);
            server.setKeyboardInteractiveAuthenticator(null);
            server.setPublickeyAuthenticator((user, key, session) -> {
                LOGINS.add(user + " " + key.getAlgorithm() + " to "
                        + ((InetSocketAddress) session.getLocalAddress()).getAddress().getHostAddress());
                return "fedora".equals(user);
            });
            server.setCommandFactory((channel, command) -> {
                COMMANDS.add(command);
                return ProcessShellCommandFactory.INSTANCE.createCommand(channel, command);
            });
            server.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        consoleShowsFingerprint(fingerprint);
        return Map.of(
                "fedimg.tester.transport", "ssh",
                "fedimg.tester.ssh.port", String.valueOf(server.getPort()),
                "fedimg.tester.ssh.remote-command", "bash -s",
                "fedimg.tester.ssh.require-console-fingerprint", "true",
                "fedimg.tester.ssh.user-data-path", Scripts.SSH_USER_DATA.toAbsolutePath().toString());
    }

    @Override
    public void stop() {
        if (server != null) {
            try {
                server.stop(true);
            } catch (IOException e) {
                // the JVM is going away
            }
        }
    }

    static String fingerprint(PublicKey key) {
        ByteArrayBuffer buffer = new ByteArrayBuffer();
        buffer.putRawPublicKey(key);
        return HostKeyFingerprints.of(buffer.getCompactData());
    }
}
