package org.fedoraproject.fedimg.bridge.fedmsg;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** Signs fedmsg envelopes like fedmsg's {@code crypto/x509_ng.sign}. */
public final class X509Signer {

    private final PrivateKey key;
    private final String certificateField;

    public X509Signer(PrivateKey key, X509Certificate certificate) {
        this.key = key;
        this.certificateField = Pem.base64Lines(Pem.toPem(certificate).getBytes(StandardCharsets.US_ASCII));
    }

    /** Sets {@code crypto} first (so it is signed), then adds {@code signature} and {@code certificate}. */
    public ObjectNode sign(ObjectNode envelope) {
        envelope.remove("signature");
        envelope.remove("certificate");
        envelope.put("crypto", "x509");
        try {
            Signature s = Signature.getInstance("SHA1withRSA");
            s.initSign(key);
            s.update(CanonicalJson.bytes(envelope));
            envelope.put("signature", Pem.base64Lines(s.sign()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("signing the fedmsg envelope failed: " + e.getMessage(), e);
        }
        envelope.put("certificate", certificateField);
        return envelope;
    }
}
