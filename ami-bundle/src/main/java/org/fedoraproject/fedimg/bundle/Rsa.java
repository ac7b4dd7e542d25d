package org.fedoraproject.fedimg.bundle;

import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;

import javax.crypto.Cipher;

/**
 * The RSA operations of the AMI tools ({@code crypto.rb}): PKCS#1 v1.5 encryption of the bundle key and IV
 * ({@code OpenSSL::PKey::RSA::PKCS1_PADDING}), and PKCS#1 v1.5 signatures over SHA-1 for the manifest.
 */
final class Rsa {

    private static final String CIPHER = "RSA/ECB/PKCS1Padding";
    private static final String MANIFEST_SIGNATURE = "SHA1withRSA";

    private Rsa() {
    }

    static byte[] encrypt(PublicKey key, byte[] plain) {
        try {
            Cipher c = Cipher.getInstance(CIPHER);
            c.init(Cipher.ENCRYPT_MODE, key);
            return c.doFinal(plain);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot encrypt with this " + key.getAlgorithm() + " key: " + e.getMessage(), e);
        }
    }

    /** Throws when the ciphertext was not made for this key (bad padding) or is malformed. */
    static byte[] decrypt(PrivateKey key, byte[] cipherText) throws GeneralSecurityException {
        Cipher c = Cipher.getInstance(CIPHER);
        c.init(Cipher.DECRYPT_MODE, key);
        return c.doFinal(cipherText);
    }

    static byte[] signManifest(PrivateKey key, byte[] data) {
        return sign(MANIFEST_SIGNATURE, key, data);
    }

    static boolean verifyManifest(PublicKey key, byte[] data, byte[] signature) {
        return verify(MANIFEST_SIGNATURE, key, data, signature);
    }

    static byte[] sign(String algorithm, PrivateKey key, byte[] data) {
        try {
            Signature s = Signature.getInstance(algorithm);
            s.initSign(key);
            s.update(data);
            return s.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot sign with this " + key.getAlgorithm() + " key: " + e.getMessage(), e);
        }
    }

    static boolean verify(String algorithm, PublicKey key, byte[] data, byte[] signature) {
        try {
            Signature s = Signature.getInstance(algorithm);
            s.initVerify(key);
            s.update(data);
            return s.verify(signature);
        } catch (GeneralSecurityException e) {
            // a signature of the wrong length or a key of another type: not a valid signature either
            return false;
        }
    }
}
