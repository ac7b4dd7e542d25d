package org.fedoraproject.fedimg.bundle;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Certificates and RSA private keys from PEM text, as a Kubernetes secret or a file holds them. Keys may be
 * PKCS#8 ({@code BEGIN PRIVATE KEY}, OpenSSL 3's default) or PKCS#1 ({@code BEGIN RSA PRIVATE KEY}, older
 * OpenSSL and the AMI tools' era); encrypted keys are refused: the secret store protects the key, not a passphrase.
 */
public final class Pem {

    private static final Pattern BLOCK = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----\\s*(.*?)-----END \\1-----", Pattern.DOTALL);

    /** DER prefix of PKCS#8's AlgorithmIdentifier for rsaEncryption (1.2.840.113549.1.1.1) with NULL parameters. */
    private static final byte[] RSA_ALGORITHM = {0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86,
            (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00};

    private Pem() {
    }

    public static X509Certificate certificate(String pem) {
        Matcher m = BLOCK.matcher(pem);
        while (m.find()) {
            if (m.group(1).equals("CERTIFICATE")) {
                try {
                    return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(
                            new ByteArrayInputStream(m.group().getBytes(StandardCharsets.US_ASCII)));
                } catch (CertificateException e) {
                    throw new IllegalArgumentException("not a valid X.509 certificate: " + e.getMessage(), e);
                }
            }
        }
        throw new IllegalArgumentException("no PEM CERTIFICATE block found");
    }

    public static PrivateKey privateKey(String pem) {
        Matcher m = BLOCK.matcher(pem);
        while (m.find()) {
            String type = m.group(1);
            if (type.equals("ENCRYPTED PRIVATE KEY") || m.group(2).contains("Proc-Type:")) {
                throw new IllegalArgumentException("the private key is encrypted; give it unencrypted, from a secret");
            }
            byte[] der;
            if (type.equals("PRIVATE KEY")) {
                der = base64(m.group(2));
            } else if (type.equals("RSA PRIVATE KEY")) {
                der = pkcs8(base64(m.group(2)));
            } else {
                continue;
            }
            try {
                return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                throw new IllegalArgumentException("not an RSA private key: " + e.getMessage(), e);
            }
        }
        throw new IllegalArgumentException("no PEM PRIVATE KEY or RSA PRIVATE KEY block found");
    }

    private static byte[] base64(String body) {
        try {
            return Base64.getMimeDecoder().decode(body.replaceAll("\\s", ""));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the PEM block is not valid base64", e);
        }
    }

    /** Wraps a PKCS#1 RSAPrivateKey in a PKCS#8 PrivateKeyInfo, the only form the JDK's KeyFactory reads. */
    private static byte[] pkcs8(byte[] pkcs1) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(new byte[] {0x02, 0x01, 0x00}, 0, 3); // version 0
        body.write(RSA_ALGORITHM, 0, RSA_ALGORITHM.length);
        derHeader(body, 0x04, pkcs1.length);
        body.write(pkcs1, 0, pkcs1.length);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        derHeader(out, 0x30, body.size());
        out.write(body.toByteArray(), 0, body.size());
        return out.toByteArray();
    }

    private static void derHeader(ByteArrayOutputStream out, int tag, int length) {
        out.write(tag);
        if (length < 0x80) {
            out.write(length);
            return;
        }
        int bytes = length > 0xffffff ? 4 : length > 0xffff ? 3 : length > 0xff ? 2 : 1;
        out.write(0x80 | bytes);
        for (int i = bytes - 1; i >= 0; i--) {
            out.write(length >>> (8 * i));
        }
    }
}
