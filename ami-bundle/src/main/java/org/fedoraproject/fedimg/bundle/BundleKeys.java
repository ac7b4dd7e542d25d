package org.fedoraproject.fedimg.bundle;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The AES-128-CBC key and IV of one bundle. As in the AMI tools ({@code bundle.rb}), what RSA encrypts for a
 * certificate is the lowercase hex text of the key (32 ASCII characters), not its 16 raw bytes: that text is
 * what {@code openssl enc -K} takes, and what {@code ec2-unbundle} gets back from {@code private_decrypt}.
 */
public final class BundleKeys {

    static final int LENGTH = 16;
    private static final HexFormat HEX = HexFormat.of();

    private final byte[] key;
    private final byte[] iv;

    private BundleKeys(byte[] key, byte[] iv) {
        if (key.length != LENGTH || iv.length != LENGTH) {
            throw new IllegalArgumentException("AES-128-CBC needs a 16-byte key and a 16-byte IV");
        }
        this.key = key.clone();
        this.iv = iv.clone();
    }

    /** A fresh key and IV, as {@code OpenSSL::Cipher#random_key}/{@code random_iv} give the AMI tools. */
    public static BundleKeys random(SecureRandom random) {
        byte[] k = new byte[LENGTH];
        byte[] v = new byte[LENGTH];
        random.nextBytes(k);
        random.nextBytes(v);
        return new BundleKeys(k, v);
    }

    static BundleKeys of(byte[] key, byte[] iv) {
        return new BundleKeys(key, iv);
    }

    /** Key and IV encrypted with RSA PKCS#1 v1.5 for {@code recipient}, hex-encoded as the manifest holds them. */
    public Sealed sealFor(PublicKey recipient) {
        return new Sealed(HEX.formatHex(Rsa.encrypt(recipient, asciiHex(key))),
                HEX.formatHex(Rsa.encrypt(recipient, asciiHex(iv))));
    }

    /** Recovers key and IV sealed for the certificate of {@code owner}. */
    public static BundleKeys unseal(Sealed sealed, PrivateKey owner) throws WrongCertificateException {
        return new BundleKeys(unsealOne(sealed.key(), owner, "key"), unsealOne(sealed.iv(), owner, "IV"));
    }

    private static byte[] unsealOne(String hex, PrivateKey owner, String what) throws WrongCertificateException {
        byte[] text;
        try {
            text = Rsa.decrypt(owner, HEX.parseHex(hex));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new WrongCertificateException("the bundle " + what + " is not encrypted for this private key", e);
        }
        String s = new String(text, StandardCharsets.US_ASCII);
        if (s.length() != 2 * LENGTH || !s.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
            // PKCS#1 v1.5 padding can, rarely, check out under a foreign key; what comes out is then not a hex key
            throw new WrongCertificateException("the bundle " + what + " decrypts to no AES-128 key with this private key",
                    null);
        }
        return HEX.parseHex(s);
    }

    private static byte[] asciiHex(byte[] b) {
        return HEX.formatHex(b).getBytes(StandardCharsets.US_ASCII);
    }

    Cipher cipher(int mode) {
        try {
            Cipher c = Cipher.getInstance("AES/CBC/PKCS5Padding"); // PKCS#7 on 16-byte blocks, as openssl enc
            c.init(mode, new SecretKeySpec(key, "AES"), new IvParameterSpec(iv));
            return c;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK has no AES/CBC/PKCS5Padding", e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BundleKeys other && MessageDigest.isEqual(key, other.key)
                && MessageDigest.isEqual(iv, other.iv);
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(key), Arrays.hashCode(iv));
    }

    /** Never the key. */
    @Override
    public String toString() {
        return "BundleKeys[AES-128-CBC]";
    }

    /** Hex of the RSA-encrypted key and IV: the manifest's {@code *_encrypted_key} and {@code *_encrypted_iv}. */
    public record Sealed(String key, String iv) {

        public Sealed {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(iv, "iv");
        }
    }
}
