package org.fedoraproject.fedimg.emulator.ec2;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * A self-signed X.509 v3 certificate (SHA-256 with RSA, no extensions) written as DER by hand: the JDK can read
 * certificates but has no public API to make one, and the emulator takes no dependency for this one need.
 */
final class SelfSignedCertificate {

    private static final byte[] SHA256_WITH_RSA = {0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d,
            0x01, 0x01, 0x0b};
    private static final byte[] COMMON_NAME = {0x06, 0x03, 0x55, 0x04, 0x03};
    private static final byte[] ORGANIZATION = {0x06, 0x03, 0x55, 0x04, 0x0a};
    private static final DateTimeFormatter UTC_TIME = DateTimeFormatter.ofPattern("yyMMddHHmmss'Z'")
            .withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter GENERALIZED_TIME = DateTimeFormatter.ofPattern("yyyyMMddHHmmss'Z'")
            .withZone(ZoneOffset.UTC);

    private SelfSignedCertificate() {
    }

    static X509Certificate issue(KeyPair keys, String commonName, String organization, Instant notBefore,
            Instant notAfter) {
        try {
            byte[] algorithm = tlv(0x30, SHA256_WITH_RSA, new byte[] {0x05, 0x00});
            byte[] name = tlv(0x30,
                    tlv(0x31, tlv(0x30, ORGANIZATION, tlv(0x0c, organization.getBytes(StandardCharsets.UTF_8)))),
                    tlv(0x31, tlv(0x30, COMMON_NAME, tlv(0x0c, commonName.getBytes(StandardCharsets.UTF_8)))));
            byte[] serial = new BigInteger(127, new SecureRandom()).add(BigInteger.ONE).toByteArray();
            byte[] tbs = tlv(0x30,
                    tlv(0xa0, tlv(0x02, new byte[] {2})), // version v3
                    tlv(0x02, serial), algorithm, name,
                    tlv(0x30, time(notBefore), time(notAfter)),
                    name, keys.getPublic().getEncoded());
            Signature signer = Signature.getInstance("SHA256withRSA");
            signer.initSign(keys.getPrivate());
            signer.update(tbs);
            byte[] signature = signer.sign();
            byte[] bits = new byte[signature.length + 1]; // no unused bits
            System.arraycopy(signature, 0, bits, 1, signature.length);
            byte[] der = tlv(0x30, tbs, algorithm, tlv(0x03, bits));
            return (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(der));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot issue a certificate: " + e.getMessage(), e);
        }
    }

    /** UTCTime through 2049, GeneralizedTime from 2050 on (RFC 5280, 4.1.2.5). */
    private static byte[] time(Instant t) {
        boolean utc = t.atZone(ZoneOffset.UTC).getYear() < 2050;
        return tlv(utc ? 0x17 : 0x18, (utc ? UTC_TIME : GENERALIZED_TIME).format(t).getBytes(StandardCharsets.US_ASCII));
    }

    /** A DER tag-length-value whose value is the concatenation of {@code parts}. */
    private static byte[] tlv(int tag, byte[]... parts) {
        ByteArrayOutputStream value = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            value.writeBytes(p);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(tag);
        int length = value.size();
        if (length < 0x80) {
            out.write(length);
        } else {
            int bytes = (32 - Integer.numberOfLeadingZeros(length) + 7) / 8;
            out.write(0x80 | bytes);
            for (int i = bytes - 1; i >= 0; i--) {
                out.write(length >>> (8 * i));
            }
        }
        out.writeBytes(value.toByteArray());
        return out.toByteArray();
    }
}
