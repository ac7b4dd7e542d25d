package org.fedoraproject.fedimg.emulator.ec2;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.security.interfaces.RSAPublicKey;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Real key pairs for CreateKeyPair, in the formats AWS returns (PKCS#1 PEM for RSA, OpenSSH for ED25519),
 * so a test can use them with an SSH client.
 */
final class KeyMaterial {

    record Generated(String privateKeyPem, String fingerprint, String publicKeyOpenSsh) {
    }

    private KeyMaterial() {
    }

    static Generated rsa() {
        try {
            KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
            gen.initialize(2048);
            KeyPair kp = gen.generateKeyPair();
            byte[] pkcs8 = kp.getPrivate().getEncoded();
            byte[] pkcs1 = pkcs1FromPkcs8(pkcs8);
            String pem = "-----BEGIN RSA PRIVATE KEY-----\n"
                    + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(pkcs1)
                    + "\n-----END RSA PRIVATE KEY-----";
            // AWS: SHA-1 of the DER-encoded PKCS#8 private key for keys it creates.
            String fp = colonHex(MessageDigest.getInstance("SHA-1").digest(pkcs8));
            RSAPublicKey pub = (RSAPublicKey) kp.getPublic();
            ByteArrayOutputStream blob = new ByteArrayOutputStream();
            sshString(blob, "ssh-rsa".getBytes(StandardCharsets.US_ASCII));
            sshString(blob, pub.getPublicExponent().toByteArray());
            sshString(blob, pub.getModulus().toByteArray());
            return new Generated(pem, fp, "ssh-rsa " + Base64.getEncoder().encodeToString(blob.toByteArray()));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static Generated ed25519(String comment) {
        try {
            KeyPair kp = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
            byte[] x509 = kp.getPublic().getEncoded();
            byte[] pub = Arrays.copyOfRange(x509, x509.length - 32, x509.length);
            byte[] p8 = kp.getPrivate().getEncoded();
            byte[] seed = Arrays.copyOfRange(p8, p8.length - 32, p8.length);
            ByteArrayOutputStream pubBlob = new ByteArrayOutputStream();
            sshString(pubBlob, "ssh-ed25519".getBytes(StandardCharsets.US_ASCII));
            sshString(pubBlob, pub);
            ByteArrayOutputStream priv = new ByteArrayOutputStream();
            int check = new SecureRandom().nextInt();
            priv.writeBytes(ByteBuffer.allocate(8).putInt(check).putInt(check).array());
            sshString(priv, "ssh-ed25519".getBytes(StandardCharsets.US_ASCII));
            sshString(priv, pub);
            byte[] full = new byte[64];
            System.arraycopy(seed, 0, full, 0, 32);
            System.arraycopy(pub, 0, full, 32, 32);
            sshString(priv, full);
            sshString(priv, comment.getBytes(StandardCharsets.UTF_8));
            for (int pad = 1; priv.size() % 8 != 0; pad++) {
                priv.write(pad);
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.writeBytes("openssh-key-v1\0".getBytes(StandardCharsets.US_ASCII));
            sshString(out, "none".getBytes(StandardCharsets.US_ASCII));
            sshString(out, "none".getBytes(StandardCharsets.US_ASCII));
            sshString(out, new byte[0]);
            out.writeBytes(ByteBuffer.allocate(4).putInt(1).array());
            sshString(out, pubBlob.toByteArray());
            sshString(out, priv.toByteArray());
            String pem = "-----BEGIN OPENSSH PRIVATE KEY-----\n"
                    + Base64.getMimeEncoder(70, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(out.toByteArray())
                    + "\n-----END OPENSSH PRIVATE KEY-----\n";
            String fp = Base64.getEncoder().withoutPadding()
                    .encodeToString(MessageDigest.getInstance("SHA-256").digest(pubBlob.toByteArray())) + "=";
            return new Generated(pem, fp, "ssh-ed25519 " + Base64.getEncoder().encodeToString(pubBlob.toByteArray()));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** ImportKeyPair: validates an OpenSSH public key line and fingerprints it. */
    static String[] importPublicKey(byte[] material) {
        String line = new String(material, StandardCharsets.UTF_8).trim();
        String[] parts = line.split("\\s+");
        if (parts.length < 2 || !(parts[0].equals("ssh-rsa") || parts[0].equals("ssh-ed25519")
                || parts[0].startsWith("ecdsa-sha2-"))) {
            throw new Ec2Exception("InvalidKey.Format", "Key is not in valid OpenSSH public key format");
        }
        byte[] blob;
        try {
            blob = Base64.getDecoder().decode(parts[1]);
        } catch (IllegalArgumentException e) {
            throw new Ec2Exception("InvalidKey.Format", "Key is not in valid OpenSSH public key format");
        }
        try {
            String type = parts[0].equals("ssh-ed25519") ? "ed25519" : "rsa";
            String fp = type.equals("ed25519")
                    ? Base64.getEncoder().withoutPadding().encodeToString(MessageDigest.getInstance("SHA-256").digest(blob)) + "="
                    : colonHex(MessageDigest.getInstance("MD5").digest(blob));
            return new String[] {type, fp, line};
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void sshString(ByteArrayOutputStream out, byte[] data) {
        out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
        out.writeBytes(data);
    }

    /** PKCS#8 PrivateKeyInfo = SEQUENCE { version, algorithm, OCTET STRING { RSAPrivateKey } }. */
    private static byte[] pkcs1FromPkcs8(byte[] der) {
        int[] pos = {0};
        readHeader(der, pos, 0x30);
        int len = readHeader(der, pos, 0x02);
        pos[0] += len;
        len = readHeader(der, pos, 0x30);
        pos[0] += len;
        len = readHeader(der, pos, 0x04);
        return Arrays.copyOfRange(der, pos[0], pos[0] + len);
    }

    private static int readHeader(byte[] der, int[] pos, int tag) {
        if ((der[pos[0]++] & 0xff) != tag) {
            throw new IllegalStateException("unexpected DER tag");
        }
        int len = der[pos[0]++] & 0xff;
        if (len >= 0x80) {
            int n = len & 0x7f;
            len = new BigInteger(1, Arrays.copyOfRange(der, pos[0], pos[0] + n)).intValue();
            pos[0] += n;
        }
        return len;
    }

    private static String colonHex(byte[] digest) {
        return HexFormat.ofDelimiter(":").formatHex(digest);
    }
}
