package org.fedoraproject.fedimg.bridge.amqp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

import org.fedoraproject.fedimg.bridge.config.BridgeConfig;
import org.fedoraproject.fedimg.bridge.support.TestPki;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DefaultSaslConfig;

/**
 * fedora-messaging's [tls] section: the broker is verified against ca_cert (hostname included) and the client
 * presents certfile/keyfile, authenticating with SASL EXTERNAL. Checked against a TLS server that requires a
 * client certificate (it is not an AMQP broker, so the connection fails after the handshake is observed).
 */
class AmqpTlsTest {

    @Test
    void clientCertificateAndSaslExternal(@TempDir Path dir) throws Exception {
        TestPki pki = new TestPki("broker-ca");
        TestPki.Issued client = pki.issue("fedimg-bridge");
        Path ca = TestPki.writePem(dir.resolve("ca.pem"), pki.ca);
        Path cert = TestPki.writePem(dir.resolve("client.crt"), client.cert());
        Path key = TestPki.writePem(dir.resolve("client.key"), client.keys().getPrivate());
        try (SSLServerSocket server = server(pki, pki.issueServer("localhost", "localhost"))) {
            CompletableFuture<String> peer = accept(server);
            ConnectionFactory f = AmqpConnections.factory(config("amqps://localhost:" + server.getLocalPort() + "/%2F",
                    Optional.of(ca.toString()), Optional.of(cert.toString()), Optional.of(key.toString())));
            assertThat(f.isSSL()).isTrue();
            assertThat(f.getSaslConfig()).isSameAs(DefaultSaslConfig.EXTERNAL);
            assertThat(f.getVirtualHost()).isEqualTo("/");
            f.setConnectionTimeout(3000);
            f.setHandshakeTimeout(3000);
            assertThatThrownBy(f::newConnection).isInstanceOf(Exception.class); // not a real broker
            assertThat(peer.get(10, TimeUnit.SECONDS)).contains("CN=fedimg-bridge");
        }

        // a broker certificate for another host name is refused by the client
        try (SSLServerSocket server = server(pki, pki.issueServer("other.example.org", "other.example.org"))) {
            CompletableFuture<String> peer = accept(server);
            ConnectionFactory f = AmqpConnections.factory(config("amqps://localhost:" + server.getLocalPort() + "/%2F",
                    Optional.of(ca.toString()), Optional.of(cert.toString()), Optional.of(key.toString())));
            f.setConnectionTimeout(3000);
            f.setHandshakeTimeout(3000);
            assertThatThrownBy(f::newConnection).isInstanceOf(Exception.class);
            assertThat(peer.handle((v, e) -> e != null || v.startsWith("failed")).get(10, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void plainUrlWithCredentialsAndNoTls() {
        ConnectionFactory f = AmqpConnections.factory(config("amqp://guest:guest@127.0.0.1:5672/%2Fpublic_pubsub",
                Optional.empty(), Optional.empty(), Optional.empty()));
        assertThat(f.isSSL()).isFalse();
        assertThat(f.getVirtualHost()).isEqualTo("/public_pubsub");
        assertThat(f.getUsername()).isEqualTo("guest");
        assertThat(f.getClientProperties()).containsEntry("app", "fedimg bridge-fedmsg");
        assertThatThrownBy(() -> AmqpConnections.factory(config("amqp://h/%2F", Optional.empty(),
                Optional.of("/x.crt"), Optional.of("/x.key")))).hasMessageContaining("amqps");
        assertThatThrownBy(() -> AmqpConnections.factory(config("ftp://user:secret@h/x", Optional.empty(),
                Optional.empty(), Optional.empty()))).hasMessageNotContaining("secret");
    }

    private static SSLServerSocket server(TestPki pki, TestPki.Issued serverCert) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("server", serverCert.keys().getPrivate(), new char[0],
                new X509Certificate[] { serverCert.cert() });
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, new char[0]);
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", pki.ca);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        SSLServerSocket s = (SSLServerSocket) ctx.getServerSocketFactory().createServerSocket(0, 5,
                java.net.InetAddress.getLoopbackAddress());
        s.setNeedClientAuth(true);
        return s;
    }

    private static CompletableFuture<String> accept(SSLServerSocket server) {
        return CompletableFuture.supplyAsync(() -> {
            try (SSLSocket s = (SSLSocket) server.accept()) {
                s.setSoTimeout(5000);
                try {
                    s.startHandshake();
                    return ((X509Certificate) s.getSession().getPeerCertificates()[0]).getSubjectX500Principal()
                            .getName();
                } catch (Exception e) {
                    return "failed: " + e.getMessage();
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    static BridgeConfig.Amqp config(String url, Optional<String> ca, Optional<String> cert, Optional<String> key) {
        BridgeConfig.Amqp.Tls tls = new BridgeConfig.Amqp.Tls() {
            public Optional<String> caCert() { return ca; }
            public Optional<String> certfile() { return cert; }
            public Optional<String> keyfile() { return key; }
        };
        return new BridgeConfig.Amqp() {
            public boolean consume() { return true; }
            public boolean publish() { return true; }
            public String url() { return url; }
            public Tls tls() { return tls; }
            public String exchange() { return "amq.topic"; }
            public List<String> routingKeys() { return List.of("#"); }
            public Optional<String> queue() { return Optional.empty(); }
            public boolean queueDurable() { return false; }
            public boolean queueAutoDelete() { return true; }
            public boolean queueExclusive() { return true; }
            public boolean passiveDeclares() { return false; }
            public int prefetchCount() { return 10; }
            public String publishExchange() { return "amq.topic"; }
            public Optional<Integer> publishPriority() { return Optional.empty(); }
            public Duration confirmTimeout() { return Duration.ofSeconds(5); }
            public String appName() { return "fedimg bridge-fedmsg"; }
            public Duration reconnectDelay() { return Duration.ofSeconds(1); }
        };
    }
}
