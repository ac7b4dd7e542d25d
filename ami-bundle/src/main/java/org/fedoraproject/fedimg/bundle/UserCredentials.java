package org.fedoraproject.fedimg.bundle;

import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAKey;
import java.util.Objects;

/**
 * The account's X.509 certificate and its private key: the key signs manifests and bundle plans, the
 * certificate seals a copy of the bundle key so that its owner can recover it (as {@code ec2-unbundle} does).
 */
public record UserCredentials(X509Certificate certificate, PrivateKey privateKey) {

    public UserCredentials {
        Objects.requireNonNull(certificate, "certificate");
        Objects.requireNonNull(privateKey, "privateKey");
        if (!(certificate.getPublicKey() instanceof RSAKey pub) || !(privateKey instanceof RSAKey priv)) {
            throw new IllegalArgumentException("the AMI tools' format needs an RSA certificate and key");
        }
        if (!pub.getModulus().equals(priv.getModulus())) {
            throw new IllegalArgumentException("the private key does not belong to the certificate "
                    + certificate.getSubjectX500Principal().getName());
        }
    }

    public static UserCredentials fromPem(String certificatePem, String privateKeyPem) {
        return new UserCredentials(Pem.certificate(certificatePem), Pem.privateKey(privateKeyPem));
    }

    /** Never the key. */
    @Override
    public String toString() {
        return "UserCredentials[" + certificate.getSubjectX500Principal().getName() + "]";
    }
}
