package org.fedoraproject.fedimg.tester.domain;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The host key fingerprints cloud-init prints on the console at first boot: the block between
 * {@code -----BEGIN SSH HOST KEY FINGERPRINTS-----} and {@code -----END ...-----} (lines like
 * {@code 256 SHA256:abc... root@host (ED25519)}, often prefixed with {@code ec2: }), and the public keys
 * of the {@code SSH HOST KEY KEYS} block, turned into the same {@code SHA256:} form.
 */
public final class HostKeyFingerprints {

    private static final Pattern FP_BLOCK = Pattern.compile(
            "-----BEGIN SSH HOST KEY FINGERPRINTS-----(.*?)-----END SSH HOST KEY FINGERPRINTS-----", Pattern.DOTALL);
    private static final Pattern KEYS_BLOCK = Pattern.compile(
            "-----BEGIN SSH HOST KEY KEYS-----(.*?)-----END SSH HOST KEY KEYS-----", Pattern.DOTALL);
    private static final Pattern SHA256 = Pattern.compile("SHA256:([A-Za-z0-9+/]{43})=?");
    private static final Pattern PUBLIC_KEY = Pattern.compile(
            "(?:ssh-(?:rsa|ed25519|dss)|ecdsa-sha2-nistp(?:256|384|521)|sk-\\S+)\\s+([A-Za-z0-9+/]+={0,2})");

    private HostKeyFingerprints() {
    }

    /** Every fingerprint found, as {@code SHA256:<base64 without padding>}; empty when cloud-init printed none (yet). */
    public static Set<String> parse(String console) {
        Set<String> found = new LinkedHashSet<>();
        if (console == null) {
            return found;
        }
        Matcher block = FP_BLOCK.matcher(console);
        while (block.find()) {
            Matcher fp = SHA256.matcher(block.group(1));
            while (fp.find()) {
                found.add("SHA256:" + fp.group(1));
            }
        }
        Matcher keys = KEYS_BLOCK.matcher(console);
        while (keys.find()) {
            Matcher key = PUBLIC_KEY.matcher(keys.group(1));
            while (key.find()) {
                try {
                    found.add(of(Base64.getDecoder().decode(key.group(1))));
                } catch (IllegalArgumentException e) {
                    // a garbled line on a noisy console: other lines may still match
                }
            }
        }
        return found;
    }

    /** OpenSSH's fingerprint of a public key blob. */
    public static String of(byte[] publicKeyBlob) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(publicKeyBlob);
            return "SHA256:" + Base64.getEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The console lines cloud-init would print for these fingerprints (for docs and tests). */
    public static String block(Iterable<String> fingerprints) {
        StringBuilder b = new StringBuilder("-----BEGIN SSH HOST KEY FINGERPRINTS-----\n");
        for (String fp : fingerprints) {
            b.append("256 ").append(fp).append(" root@localhost (KEY)\n");
        }
        return b.append("-----END SSH HOST KEY FINGERPRINTS-----\n").toString();
    }
}
