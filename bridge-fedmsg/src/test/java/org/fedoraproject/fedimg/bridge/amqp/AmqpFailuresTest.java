package org.fedoraproject.fedimg.bridge.amqp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketException;
import java.nio.file.Path;
import java.util.Optional;

import javax.net.ssl.SSLHandshakeException;

import org.fedoraproject.fedimg.bridge.support.TestPki;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.rabbitmq.client.ShutdownSignalException;

/**
 * The connection failures a node really gives (RabbitTlsBridgeTest meets them against a RabbitMQ node), each
 * described in terms of the setting to fix; the ones that depend on timing are built here.
 */
class AmqpFailuresTest {

    @Test
    void aResetRightAfterTheHandshakeNamesTheClientCertificate(@TempDir Path dir) {
        TestPki other = new TestPki("another-ca");
        Path cert = TestPki.writePem(dir.resolve("client.crt"), other.issue("fedimg-bridge").cert());
        var config = AmqpTlsTest.config("amqps://broker.example.org/%2F", Optional.of("/etc/ca.pem"),
                Optional.of(cert.toString()), Optional.of("/etc/client.key"));
        String reset = AmqpFailures.describe(new SocketException("Connection reset by peer"), config);
        assertThat(reset).contains("broker.example.org:5671", "closed the connection right after the TLS handshake",
                cert.toString(), "CN=fedimg-bridge", "issued by", "CN=another-ca", "Connection reset by peer");

        // as the client reports an alert that arrives after the handshake: a connection error caused by it
        ShutdownSignalException connectionError = new ShutdownSignalException(true, false, null, null);
        connectionError.initCause(new SSLHandshakeException("Received fatal alert: unknown_ca"));
        IOException wrapped = new IOException((String) null, connectionError);
        assertThat(AmqpFailures.describe(wrapped, config)).contains("refused the client certificate",
                "issued by", "CN=another-ca", "IOException: null <- ShutdownSignalException", "unknown_ca");
    }

    @Test
    void anUnreachableBrokerIsNotBlamedOnTlsAndTheUrlsPasswordNeverShows() {
        var config = AmqpTlsTest.config("amqp://fedimg:s3cret@broker.example.org:5673/%2F", Optional.empty(),
                Optional.empty(), Optional.empty());
        String refused = AmqpFailures.describe(new ConnectException("Connection refused"), config);
        assertThat(refused).isEqualTo(
                "cannot connect to the broker broker.example.org:5673 (ConnectException: Connection refused)");
        assertThat(AmqpFailures.describe(new SocketException("Connection reset"), config))
                .startsWith("cannot connect").doesNotContain("s3cret");
    }
}
