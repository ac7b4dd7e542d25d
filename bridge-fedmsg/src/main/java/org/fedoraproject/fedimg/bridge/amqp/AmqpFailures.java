package org.fedoraproject.fedimg.bridge.amqp;

import java.io.EOFException;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.URI;
import java.nio.file.Path;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;

import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;

import org.fedoraproject.fedimg.bridge.config.BridgeConfig;
import org.fedoraproject.fedimg.bridge.fedmsg.Pem;

/**
 * Says why an AMQP connection failed in terms of the bridge's settings, for the log and the readiness check.
 * The TLS failures need it most. An untrusted broker certificate is a PKIX path error that does not name the
 * setting to fix. A refused client certificate reaches the client after its side of the TLS 1.3 handshake is
 * done, wrapped in a connection error: as a TLS alert, or, when the alert is lost in the reset of the
 * connection, as nothing more than a reset. The URL's credentials never appear.
 */
public final class AmqpFailures {

    private AmqpFailures() {
    }

    public static String describe(Throwable failure, BridgeConfig.Amqp config) {
        String broker = broker(config);
        boolean amqps = config.url().startsWith("amqps://");
        String detail = chain(failure);
        if (cause(failure, CertPathBuilderException.class) != null
                || cause(failure, CertPathValidatorException.class) != null) {
            return "the TLS certificate of the broker " + broker + " is not trusted: it does not chain to "
                    + config.tls().caCert().map(ca -> "a CA in fedimg.bridge.amqp.tls.ca-cert (" + ca + ")")
                            .orElse("a CA of the JDK trust store (fedimg.bridge.amqp.tls.ca-cert is not set)")
                    + " (" + detail + ")";
        }
        CertificateException badName = cause(failure, CertificateException.class);
        if (badName != null && String.valueOf(badName.getMessage()).contains("match")) {
            return "the TLS certificate of the broker " + broker + " does not name the host of fedimg.bridge.amqp.url ("
                    + badName.getMessage() + ")";
        }
        SSLHandshakeException handshake = cause(failure, SSLHandshakeException.class);
        String alert = handshake == null ? "" : String.valueOf(handshake.getMessage());
        if (alert.contains("certificate_required")) {
            // the JDK offers a client certificate only if its issuer is one of the CAs the broker names
            return "the broker " + broker + " refused the connection for want of a client certificate it accepts: "
                    + clientCertificate(config) + " is not signed by a CA the broker trusts, so it was not offered ("
                    + detail + ")";
        }
        if (alert.contains("unknown_ca") || alert.contains("bad_certificate") || alert.contains("certificate_unknown")
                || alert.contains("access_denied")) {
            return "the broker " + broker + " refused the client certificate " + clientCertificate(config) + " ("
                    + detail + ")";
        }
        boolean closedAfterHandshake = amqps && handshake == null && cause(failure, ConnectException.class) == null
                && (cause(failure, SocketException.class) != null || cause(failure, EOFException.class) != null
                        || cause(failure, SSLException.class) != null);
        if (closedAfterHandshake) {
            return "the broker " + broker + " closed the connection right after the TLS handshake, as a broker that "
                    + "refused the client certificate does: check that " + clientCertificate(config)
                    + " is signed by a CA the broker trusts (" + detail + ")";
        }
        return "cannot connect to the broker " + broker + " (" + detail + ")";
    }

    /** The configured client certificate, named by file, subject and issuer. */
    private static String clientCertificate(BridgeConfig.Amqp config) {
        if (config.tls().certfile().isEmpty()) {
            return "(none: fedimg.bridge.amqp.tls.certfile is not set)";
        }
        String file = config.tls().certfile().get();
        try {
            X509Certificate cert = Pem.certificates(Path.of(file)).get(0);
            return "fedimg.bridge.amqp.tls.certfile (" + file + ": " + cert.getSubjectX500Principal().getName()
                    + ", issued by " + cert.getIssuerX500Principal().getName() + ")";
        } catch (RuntimeException e) {
            return "fedimg.bridge.amqp.tls.certfile (" + file + ")";
        }
    }

    /** host:port of the URL, without user and password. */
    private static String broker(BridgeConfig.Amqp config) {
        try {
            URI uri = new URI(config.url());
            int port = uri.getPort() != -1 ? uri.getPort() : config.url().startsWith("amqps://") ? 5671 : 5672;
            return uri.getHost() + ":" + port;
        } catch (Exception e) {
            return "(fedimg.bridge.amqp.url)";
        }
    }

    /** "IOException: x <- SocketException: y": wrappers often say nothing, their causes do. */
    private static String chain(Throwable failure) {
        StringBuilder s = new StringBuilder();
        int depth = 0;
        for (Throwable t = failure; t != null && depth < 4; t = t.getCause(), depth++) {
            s.append(depth == 0 ? "" : " <- ").append(t.getClass().getSimpleName()).append(": ").append(t.getMessage());
        }
        return s.toString();
    }

    private static <T extends Throwable> T cause(Throwable failure, Class<T> type) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }
}
