package org.fedoraproject.fedimg.aws;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Idempotency tokens for RunInstances, CopyImage and StartSnapshot: derived from the job, the step and
 * the region, so a Kafka redelivery, a retry and a crash-restart all send the same token. EC2 allows
 * 64 ASCII characters: a hex SHA-256 is exactly that.
 */
public final class ClientTokens {

    private ClientTokens() {
    }

    public static String of(String... parts) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            byte[] digest = sha.digest(String.join("\u0000", parts).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
