package org.fedoraproject.fedimg.bridge.amqp;

import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import org.fedoraproject.fedimg.bridge.config.BridgeConfig;
import org.fedoraproject.fedimg.bridge.fedmsg.Pem;

import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DefaultSaslConfig;

/**
 * A RabbitMQ {@link ConnectionFactory} configured like fedora-messaging: {@code amqp_url} (vhost
 * URL-encoded), {@code [tls]} ca_cert / certfile / keyfile with SASL EXTERNAL when a client certificate is
 * given, hostname verification, and automatic connection and topology recovery.
 */
public final class AmqpConnections {

    private AmqpConnections() {
    }

    public static ConnectionFactory factory(BridgeConfig.Amqp config) {
        ConnectionFactory f = new ConnectionFactory();
        BridgeConfig.Amqp.Tls tls = config.tls();
        boolean amqps = config.url().startsWith("amqps://");
        try {
            // amqps:// would make setUri install a trust-everything manager first; set TLS ourselves instead
            java.net.URI uri = new java.net.URI(amqps ? "amqp" + config.url().substring(5) : config.url());
            f.setUri(uri);
            if (amqps && uri.getPort() == -1) {
                f.setPort(ConnectionFactory.DEFAULT_AMQP_OVER_SSL_PORT);
            }
        } catch (Exception e) {
            // the URL may hold a password: never echo it
            throw new IllegalArgumentException("fedimg.bridge.amqp.url is not a valid amqp:// or amqps:// URL");
        }
        if (amqps) {
            f.useSslProtocol(sslContext(tls));
            f.enableHostnameVerification();
            if (tls.certfile().isPresent() && tls.keyfile().isPresent()) {
                f.setSaslConfig(DefaultSaslConfig.EXTERNAL);
            }
        } else if (tls.certfile().isPresent()) {
            throw new IllegalArgumentException("a TLS client certificate needs an amqps:// URL");
        }
        Map<String, Object> props = new HashMap<>(f.getClientProperties());
        props.put("app", config.appName());
        props.put("app_url", "https://github.com/fedora-infra/fedimg");
        props.put("connection_name", config.appName());
        f.setClientProperties(props);
        f.setAutomaticRecoveryEnabled(true);
        f.setTopologyRecoveryEnabled(true);
        f.setNetworkRecoveryInterval(config.reconnectDelay().toMillis());
        f.setRequestedHeartbeat(60);
        return f;
    }

    static SSLContext sslContext(BridgeConfig.Amqp.Tls tls) {
        try {
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            if (tls.caCert().isPresent()) {
                KeyStore trust = KeyStore.getInstance("PKCS12");
                trust.load(null, null);
                int i = 0;
                for (X509Certificate ca : Pem.certificates(Path.of(tls.caCert().get()))) {
                    trust.setCertificateEntry("ca-" + i++, ca);
                }
                tmf.init(trust);
            } else {
                tmf.init((KeyStore) null); // the JDK's trust store
            }
            KeyManagerFactory kmf = null;
            if (tls.certfile().isPresent() && tls.keyfile().isPresent()) {
                List<X509Certificate> chain = Pem.certificates(Path.of(tls.certfile().get()));
                PrivateKey key = Pem.privateKey(Path.of(tls.keyfile().get()));
                KeyStore ks = KeyStore.getInstance("PKCS12");
                ks.load(null, null);
                char[] pw = new char[0];
                ks.setKeyEntry("client", key, pw, chain.toArray(X509Certificate[]::new));
                kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(ks, pw);
            }
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), new SecureRandom());
            return ctx;
        } catch (Exception e) {
            throw new IllegalArgumentException("cannot set up TLS for AMQP: " + e.getMessage(), e);
        }
    }
}
