package org.fedoraproject.fedimg.tester.domain;

import java.util.Map;

import org.fedoraproject.fedimg.aws.ClientTokens;

/**
 * Launch attempts of one AMI's test instance. The AMI's {@link TestTags#ATTEMPT} tag holds the last
 * attempt started; it is written before RunInstances, whose ClientToken is derived from the region,
 * the AMI and the attempt. So a redelivery, a retry or a restart re-sends the same token and gets the
 * same instance back instead of a second one. The attempt moves on only when the instance of the
 * current attempt cannot be used any more: it is gone (terminated by hand, by the janitor, by a
 * {@code poweroff} in the script), or it was an ssh run whose private key died with the process that
 * made it, or the launch parameters changed (IdempotentParameterMismatch after a config change).
 * Tokens are never random and never counted per process.
 */
public final class TestAttempts {

    private TestAttempts() {
    }

    /**
     * Whether a test instance tagged with attempt {@code instanceAttempt} belongs to an attempt before
     * {@code attempt}: starting {@code attempt} replaces it, so it must not stay alive beside the new one, where the
     * region's limit would not count it.
     */
    public static boolean earlier(String instanceAttempt, int attempt) {
        try {
            return instanceAttempt != null && Integer.parseInt(instanceAttempt) < attempt;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** The last attempt started for this AMI, 0 if none. */
    public static int current(Map<String, String> amiTags) {
        String value = amiTags.get(TestTags.ATTEMPT);
        if (value == null) {
            return 0;
        }
        try {
            return Math.max(0, Integer.parseInt(value.trim()));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    public static String clientToken(String region, String amiId, int attempt) {
        return ClientTokens.of("fedimg-test-instance", region, amiId, "attempt-" + attempt);
    }

    /** Identifies one run in console markers and temporary resource names: short, stable, unique per attempt. */
    public static String runId(String amiId, int attempt) {
        return amiId + "-a" + attempt;
    }

    /** Name of the temporary key pair and security group of an ssh run. */
    public static String tempName(String amiId, int attempt) {
        return "fedimg-test-" + runId(amiId, attempt);
    }
}
