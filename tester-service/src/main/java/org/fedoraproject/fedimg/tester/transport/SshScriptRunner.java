package org.fedoraproject.fedimg.tester.transport;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.PublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.client.future.ConnectFuture;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.client.session.ClientSession.ClientSessionEvent;
import org.apache.sshd.common.util.buffer.ByteArrayBuffer;
import org.fedoraproject.fedimg.tester.domain.FailureKind;
import org.fedoraproject.fedimg.tester.domain.HostKeyFingerprints;
import org.fedoraproject.fedimg.tester.domain.VerdictRules.TestFailure;
import org.jboss.logging.Logger;

/**
 * Runs the script over ssh with Apache MINA SSHD: public key authentication, the host key checked
 * against what cloud-init printed, the script on standard input of one exec channel, stdout and stderr
 * merged, the exit code from the channel. Blocking: callers run it on a worker thread.
 */
@ApplicationScoped
public class SshScriptRunner {

    private static final Logger LOG = Logger.getLogger(SshScriptRunner.class);
    /** Output kept in memory; events carry a far smaller excerpt anyway. */
    static final int KEEP_BYTES = 256 * 1024;

    private final SshClient client;

    SshScriptRunner() {
        client = SshClient.setUpDefaultClient();
        // the host key is checked per connection in run(), against the console of that very instance
        client.setServerKeyVerifier((session, address, key) -> true);
        client.start();
    }

    @PreDestroy
    void stop() {
        try {
            client.stop();
        } catch (RuntimeException e) {
            LOG.debug("ssh client stop", e);
        }
    }

    public record Target(String host, int port, String user, KeyPair identity, Set<String> allowedFingerprints,
            boolean requireFingerprint) {
    }

    public record Result(Integer exitCode, String signal, String output) {
    }

    /** @throws TestFailure for host key mismatch, connection or authentication failure, or the deadline */
    public Result run(Target target, String command, String script, Instant deadline, Duration connectTimeout) {
        AtomicReference<String> seenKey = new AtomicReference<>();
        java.util.concurrent.atomic.AtomicBoolean rejected = new java.util.concurrent.atomic.AtomicBoolean();
        BoundedOutput out = new BoundedOutput(KEEP_BYTES);
        try {
            ConnectFuture connect = client.connect(target.user(), target.host(), target.port());
            connect.verify(bounded(connectTimeout, deadline));
            try (ClientSession session = connect.getSession()) {
                // key exchange done, nothing sent yet: check the host before authenticating or sending the script
                session.waitFor(EnumSet.of(ClientSessionEvent.WAIT_AUTH, ClientSessionEvent.CLOSED),
                        bounded(connectTimeout, deadline));
                PublicKey serverKey = session.getServerKey();
                if (serverKey == null) {
                    throw new IOException("no key exchange with " + target.host() + ":" + target.port());
                }
                String fp = fingerprint(serverKey);
                seenKey.set(fp);
                if (!accept(target, fp)) {
                    rejected.set(true);
                    throw new IOException("host key rejected");
                }
                session.addPublicKeyIdentity(target.identity());
                session.auth().verify(bounded(connectTimeout, deadline));
                try (ChannelExec channel = session.createExecChannel(command)) {
                    channel.setIn(new ByteArrayInputStream(script.getBytes(StandardCharsets.UTF_8)));
                    channel.setOut(out);
                    channel.setErr(out);
                    channel.open().verify(bounded(connectTimeout, deadline));
                    long wait = Math.max(1, Duration.between(Instant.now(), deadline).toMillis());
                    Set<ClientChannelEvent> events = channel.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), wait);
                    if (events.contains(ClientChannelEvent.TIMEOUT)) {
                        throw new TestFailure(FailureKind.SCRIPT_TIMEOUT,
                                "test script did not finish over ssh before the deadline", null, out.text(), null);
                    }
                    return new Result(channel.getExitStatus(), channel.getExitSignal(), out.text());
                }
            }
        } catch (TestFailure f) {
            throw f;
        } catch (IOException | RuntimeException e) {
            String fp = seenKey.get();
            if (fp != null && rejected.get()) {
                throw new TestFailure(FailureKind.HOST_KEY_MISMATCH, "ssh host key " + fp
                        + (target.allowedFingerprints().isEmpty() ? " not verifiable: no fingerprint on the console"
                                : " is not among the console's " + target.allowedFingerprints()),
                        null, out.text(), null);
            }
            throw new TestFailure(FailureKind.SSH_ERROR, "ssh to " + target.host() + ":" + target.port() + " failed: "
                    + e.getClass().getSimpleName() + ": " + e.getMessage(), null, out.text(), null);
        }
    }

    private static boolean accept(Target target, String fingerprint) {
        if (target.allowedFingerprints().isEmpty()) {
            if (target.requireFingerprint()) {
                return false;
            }
            LOG.warnf("no host key fingerprint on the console of %s; accepting %s unverified", target.host(), fingerprint);
            return true;
        }
        return target.allowedFingerprints().contains(fingerprint);
    }

    static String fingerprint(PublicKey key) {
        ByteArrayBuffer buffer = new ByteArrayBuffer();
        buffer.putRawPublicKey(key);
        return HostKeyFingerprints.of(buffer.getCompactData());
    }

    private static Duration bounded(Duration timeout, Instant deadline) {
        Duration left = Duration.between(Instant.now(), deadline);
        if (left.isNegative() || left.isZero()) {
            return Duration.ofMillis(1);
        }
        return timeout.compareTo(left) < 0 ? timeout : left;
    }

    /** Keeps the last {@code max} bytes written; MINA writes from its own threads. */
    static final class BoundedOutput extends OutputStream {
        private final byte[] ring;
        private long written;

        BoundedOutput(int max) {
            ring = new byte[max];
        }

        @Override
        public synchronized void write(int b) {
            ring[(int) (written++ % ring.length)] = (byte) b;
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            for (int i = 0; i < len; i++) {
                write(b[off + i]);
            }
        }

        synchronized String text() {
            int n = (int) Math.min(written, ring.length);
            byte[] out = new byte[n];
            long start = written - n;
            for (int i = 0; i < n; i++) {
                out[i] = ring[(int) ((start + i) % ring.length)];
            }
            return new String(out, StandardCharsets.UTF_8);
        }
    }
}
