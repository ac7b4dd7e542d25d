package org.fedoraproject.fedimg.testing.ssh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.time.Duration;
import java.util.Base64;
import java.util.EnumSet;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.util.buffer.ByteArrayBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The stand-in as an ssh client sees it: a host key with the advertised fingerprint, fedora only, commands run. */
class SshStandInTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void fedoraLogsInWithAKeyAndTheCommandRunsHereWithItsExitCode(@TempDir Path dir) throws Exception {
        try (SshStandIn ssh = SshStandIn.start(); SshClient client = SshClient.setUpDefaultClient()) {
            AtomicReference<PublicKey> seen = new AtomicReference<>();
            client.setServerKeyVerifier((session, address, key) -> seen.compareAndSet(null, key));
            client.start();
            try (ClientSession session = login(client, ssh, "fedora")) {
                ChannelExec exec = session.createExecChannel("bash -s");
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                exec.setOut(out);
                exec.setErr(out);
                exec.setIn(new java.io.ByteArrayInputStream("echo \"hello $((6 * 7))\"\nexit 3\n".getBytes(StandardCharsets.UTF_8)));
                exec.open().verify(WAIT);
                exec.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), WAIT);
                assertThat(out.toString(StandardCharsets.UTF_8)).contains("hello 42");
                assertThat(exec.getExitStatus()).isEqualTo(3);
            }
            // OpenSSH's fingerprint of the key the client was shown, computed here from the key's wire form
            ByteArrayBuffer blob = new ByteArrayBuffer();
            blob.putRawPublicKey(seen.get());
            String expected = "SHA256:" + Base64.getEncoder().withoutPadding()
                    .encodeToString(MessageDigest.getInstance("SHA-256").digest(blob.getCompactData()));
            assertThat(ssh.hostKeyFingerprint()).isEqualTo(expected);
            assertThat(ssh.logins()).contains("fedora RSA to 127.0.0.1");
            assertThat(ssh.commands()).containsExactly("bash -s");

            Path userData = dir.resolve("user-data.sh");
            assertThat(ssh.testerSettings(userData)).containsEntry("fedimg.tester.transport", "ssh")
                    .containsEntry("fedimg.tester.ssh.port", String.valueOf(ssh.port()))
                    .containsEntry("fedimg.tester.ssh.user-data-path", userData.toAbsolutePath().toString());
            assertThat(Files.readString(userData)).contains("-----BEGIN SSH HOST KEY FINGERPRINTS-----")
                    .contains(" " + expected + " ");
        }
    }

    @Test
    void anotherUserIsRefused() throws Exception {
        try (SshStandIn ssh = SshStandIn.start(); SshClient client = SshClient.setUpDefaultClient()) {
            client.start();
            assertThatThrownBy(() -> login(client, ssh, "root")).hasMessageContaining("No more authentication methods");
            assertThat(ssh.logins()).contains("root RSA to 127.0.0.1");
            assertThat(ssh.commands()).isEmpty();
        }
    }

    private static ClientSession login(SshClient client, SshStandIn ssh, String user) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        KeyPair key = g.generateKeyPair();
        ClientSession session = client.connect(user, "127.0.0.1", ssh.port()).verify(WAIT).getSession();
        session.addPublicKeyIdentity(key);
        try {
            session.auth().verify(WAIT);
        } catch (Exception e) {
            session.close();
            throw e;
        }
        return session;
    }
}
