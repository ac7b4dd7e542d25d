package org.fedoraproject.fedimg.bridge.fedmsg;

import java.security.GeneralSecurityException;
import java.security.Signature;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;

import org.fedoraproject.fedimg.errors.BadInputException;
import org.fedoraproject.fedimg.events.DeadLetterReason;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * fedmsg's {@code x509_ng.validate}: the certificate must be issued by a configured CA (fedmsg's CA signs the
 * service certificates directly) and not revoked by its CRL; the signature is RSA PKCS#1 v1.5 with SHA-1 over
 * the canonical JSON of the envelope without {@code signature} and {@code certificate}; and the certificate's
 * CN must be allowed to send the topic by the routing policy.
 */
public final class X509Validator {

    private final List<X509Certificate> cas;
    private final Optional<X509CRL> crl;
    private final Map<String, List<String>> routingPolicy;
    private final boolean routingNitpicky;
    private final boolean checkDates;
    private final Clock clock;

    public X509Validator(List<X509Certificate> cas, Optional<X509CRL> crl, Map<String, List<String>> routingPolicy,
            boolean routingNitpicky, boolean checkDates, Clock clock) {
        if (cas.isEmpty()) {
            throw new IllegalArgumentException("signature validation needs at least one CA certificate");
        }
        this.cas = List.copyOf(cas);
        this.crl = crl;
        this.routingPolicy = Map.copyOf(routingPolicy);
        this.routingNitpicky = routingNitpicky;
        this.checkDates = checkDates;
        this.clock = clock;
        crl.ifPresent(c -> issuerOf(c)); // fail at start-up, not on the first message, if the CRL is not the CA's
    }

    /** Returns the signer's CN, or throws {@link BadInputException} with {@link DeadLetterReason#BAD_SIGNATURE}. */
    public String validate(ObjectNode envelope) {
        String crypto = text(envelope, "crypto");
        if (crypto == null) {
            crypto = envelope.has("certificate") ? "x509" : envelope.has("signature") ? "gpg" : null;
        }
        if (crypto == null) {
            throw bad("message is not signed");
        }
        if (!"x509".equals(crypto)) {
            throw bad("crypto backend '" + crypto + "' is not accepted (x509 only)");
        }
        String sigField = text(envelope, "signature");
        String certField = text(envelope, "certificate");
        if (sigField == null || certField == null) {
            throw bad("x509 message without signature or certificate");
        }
        X509Certificate cert;
        byte[] signature;
        try {
            cert = Pem.certificate(Base64.getMimeDecoder().decode(certField));
            signature = Base64.getMimeDecoder().decode(sigField);
        } catch (IllegalArgumentException e) {
            throw bad("undecodable certificate or signature: " + e.getMessage());
        }
        checkChain(cert);
        ObjectNode signed = envelope.deepCopy();
        signed.remove("signature");
        signed.remove("certificate");
        try {
            Signature verifier = Signature.getInstance("SHA1withRSA");
            verifier.initVerify(cert.getPublicKey());
            verifier.update(CanonicalJson.bytes(signed));
            if (!verifier.verify(signature)) {
                throw bad("signature does not match the message");
            }
        } catch (GeneralSecurityException e) {
            throw bad("signature cannot be verified: " + e.getMessage());
        }
        String cn = commonName(cert);
        checkPolicy(text(envelope, "topic"), cn);
        return cn;
    }

    private void checkChain(X509Certificate cert) {
        Date now = Date.from(clock.instant());
        X509Certificate issuer = null;
        for (X509Certificate ca : cas) {
            if (ca.getSubjectX500Principal().equals(cert.getIssuerX500Principal())) {
                try {
                    cert.verify(ca.getPublicKey());
                    issuer = ca;
                    break;
                } catch (GeneralSecurityException e) {
                    // same name, different key: try the next CA
                }
            }
        }
        if (issuer == null) {
            throw bad("certificate of " + cert.getSubjectX500Principal().getName() + " is not issued by a trusted CA");
        }
        if (checkDates) {
            try {
                cert.checkValidity(now);
                issuer.checkValidity(now);
            } catch (GeneralSecurityException e) {
                throw bad("certificate is outside its validity period: " + e.getMessage());
            }
        }
        if (crl.isPresent() && crl.get().getIssuerX500Principal().equals(issuer.getSubjectX500Principal())
                && crl.get().isRevoked(cert)) {
            throw bad("certificate serial " + cert.getSerialNumber().toString(16) + " is revoked");
        }
    }

    private X509Certificate issuerOf(X509CRL c) {
        for (X509Certificate ca : cas) {
            if (ca.getSubjectX500Principal().equals(c.getIssuerX500Principal())) {
                try {
                    c.verify(ca.getPublicKey());
                    return ca;
                } catch (GeneralSecurityException e) {
                    // try the next
                }
            }
        }
        throw new IllegalArgumentException("the CRL is not signed by a configured CA");
    }

    private void checkPolicy(String topic, String cn) {
        List<String> allowed = topic == null ? null : routingPolicy.get(topic);
        if (allowed == null) {
            if (routingNitpicky) {
                throw bad("topic " + topic + " has no routing policy entry (routing_nitpicky)");
            }
            return;
        }
        if (!allowed.contains(cn)) {
            throw bad("certificate " + cn + " may not send " + topic + " (routing policy)");
        }
    }

    static String commonName(X509Certificate cert) {
        try {
            for (Rdn rdn : new LdapName(cert.getSubjectX500Principal().getName()).getRdns()) {
                if ("CN".equalsIgnoreCase(rdn.getType())) {
                    return rdn.getValue().toString();
                }
            }
        } catch (InvalidNameException e) {
            throw bad("certificate subject cannot be parsed");
        }
        throw bad("certificate has no CN");
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    private static BadInputException bad(String why) {
        return new BadInputException(DeadLetterReason.BAD_SIGNATURE, why);
    }
}
