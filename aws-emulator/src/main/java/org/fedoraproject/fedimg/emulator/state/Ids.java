package org.fedoraproject.fedimg.emulator.state;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.HexFormat;

import org.fedoraproject.fedimg.emulator.ebs.BlockStore;

/** AWS-shaped identifiers: a prefix and 17 lowercase hex digits. */
public final class Ids {
    private static final SecureRandom RANDOM = new SecureRandom();

    private Ids() {
    }

    public static String next(String prefix) {
        byte[] bytes = new byte[9];
        RANDOM.nextBytes(bytes);
        return prefix + "-" + HexFormat.of().formatHex(bytes).substring(0, 17);
    }

    public static String requestId() {
        return java.util.UUID.randomUUID().toString();
    }

    /** Deterministic hex (default VPC and subnets keep their ids across resets). */
    public static String stableHex(String seed, int length) {
        byte[] sha = BlockStore.newSha256().digest(seed.getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(sha).substring(0, length);
    }
}
