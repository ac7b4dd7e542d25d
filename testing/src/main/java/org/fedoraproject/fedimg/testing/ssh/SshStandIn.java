package org.fedoraproject.fedimg.testing.ssh;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.shell.ProcessShellCommandFactory;

/**
 * A real SSH server (Apache MINA SSHD) standing in for a test instance's sshd, for the tester's tests and the
 * end-to-end suites: the emulator's bash backend runs no sshd, so the tester is pointed at this one's port. It
 * listens on the given loopback addresses (the emulator's public address of an instance is 127.0.0.1; the
 * tester's tests add a private subnet's), takes public key authentication as {@value #USER} only, records each
 * login with the address it came to, and runs exec requests as local processes of this JVM's user. Its host key
 * is a fresh ECDSA key; {@link #userDataPrintingFingerprint} is the user-data that makes the instance's console
 * show its fingerprint, as cloud-init does, so the tester's check of the host key against the console is real.
 */
public final class SshStandIn implements AutoCloseable {

    /** The only user let in: the tester's default {@code ssh.user}. */
    public static final String USER = "fedora";

    private final List<String> logins = new CopyOnWriteArrayList<>();
    private final List<String> commands = new CopyOnWriteArrayList<>();
    private final SshServer server;
    private final String fingerprint;

    private SshStandIn(List<String> addresses) throws IOException, GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(256);
        KeyPair hostKey = g.generateKeyPair();
        // OpenSSH's form (SHA256:<base64 without padding>), computed by sshd, not by the tester under test
        fingerprint = KeyUtils.getFingerPrint(hostKey.getPublic());
        server = SshServer.setUpDefaultServer();
        server.setHost(String.join(",", addresses));
        server.setPort(0);
        server.setKeyPairProvider(KeyPairProvider.wrap(hostKey));
        server.setPasswordAuthenticator(null);
        server.setKeyboardInteractiveAuthenticator(null);
        server.setPublickeyAuthenticator((user, key, session) -> {
            logins.add(user + " " + key.getAlgorithm() + " to "
                    + ((InetSocketAddress) session.getLocalAddress()).getAddress().getHostAddress());
            return USER.equals(user);
        });
        server.setCommandFactory((channel, command) -> {
            commands.add(command);
            return ProcessShellCommandFactory.INSTANCE.createCommand(channel, command);
        });
        server.start();
    }

    /** Starts a server on a free port of every one of {@code addresses}. */
    public static SshStandIn start(List<String> addresses) {
        try {
            return new SshStandIn(addresses);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A server on 127.0.0.1, the public address the emulator gives instances of the default VPC. */
    public static SshStandIn start() {
        return start(List.of("127.0.0.1"));
    }

    public int port() {
        return server.getPort();
    }

    /** The host key's fingerprint, {@code SHA256:...}. */
    public String hostKeyFingerprint() {
        return fingerprint;
    }

    /** Every login attempt ({@code "fedora RSA to 127.0.0.1"}), live. */
    public List<String> logins() {
        return logins;
    }

    /** Every exec request's command line, live. */
    public List<String> commands() {
        return commands;
    }

    /** User-data that prints {@code fingerprint} on the console the way cloud-init prints an instance's host keys. */
    public static String userDataPrintingFingerprint(String fingerprint) {
        return "#!/bin/bash\necho 'ec2: -----BEGIN SSH HOST KEY FINGERPRINTS-----'\n"
                + "echo 'ec2: 256 " + fingerprint + " root@localhost (ECDSA)'\n"
                + "echo 'ec2: -----END SSH HOST KEY FINGERPRINTS-----'\n";
    }

    /** User-data of an image whose cloud-init prints no host key. */
    public static String userDataPrintingNoFingerprint() {
        return "#!/bin/bash\necho 'ec2: no host keys printed'\n";
    }

    /**
     * The tester's settings for the ssh transport against this server: its port, {@code bash -s} (no sudo here)
     * and the console's fingerprint required; writes {@code userData}, the ssh-mode instances' user-data, which
     * prints this server's fingerprint. The caller adds the source of the ssh rule and the address type.
     */
    public Map<String, String> testerSettings(Path userData) {
        try {
            Files.createDirectories(userData.toAbsolutePath().getParent());
            Files.writeString(userData, userDataPrintingFingerprint(fingerprint));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("fedimg.tester.transport", "ssh");
        settings.put("fedimg.tester.ssh.port", String.valueOf(port()));
        settings.put("fedimg.tester.ssh.remote-command", "bash -s");
        settings.put("fedimg.tester.ssh.require-console-fingerprint", "true");
        settings.put("fedimg.tester.ssh.user-data-path", userData.toAbsolutePath().toString());
        return settings;
    }

    @Override
    public void close() {
        try {
            server.stop(true);
        } catch (IOException e) {
            // stopping immediately: nothing left to do with a failure
        }
    }
}
