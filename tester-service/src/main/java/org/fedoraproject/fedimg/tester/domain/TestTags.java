package org.fedoraproject.fedimg.tester.domain;

import org.fedoraproject.fedimg.aws.AwsTags;

/**
 * Tags the tester reads and writes besides {@link AwsTags}. On the AMI they are the durable record of the
 * test (what a redelivered event re-emits); on the temporary resources they say which AMI and which
 * attempt they belong to, so a restarted tester or the janitor can finish or remove them.
 */
public final class TestTags {
    /** passed | failed, on the AMI (the replicator's gate). */
    public static final String VERDICT = AwsTags.TEST_VERDICT;
    public static final String REASON = "fedimg:test-reason";
    public static final String REASON_CODE = "fedimg:test-reason-code";
    public static final String EXIT_CODE = "fedimg:test-exit-code";
    public static final String DURATION_MS = "fedimg:test-duration-ms";
    public static final String TESTED_AMI = "fedimg:test-tested-ami";
    /** On the AMI: the last launch attempt started. On temporary resources: the attempt they belong to. */
    public static final String ATTEMPT = "fedimg:test-attempt";
    /**
     * On the AMI: the attempt whose boot gave the recorded verdict. Apart from {@link #ATTEMPT}, which a tester that
     * raced the verdict may still move on, so the verdict (and the event ids derived from it) never changes.
     */
    public static final String VERDICT_ATTEMPT = "fedimg:test-verdict-attempt";
    /** On temporary resources: the AMI under test. */
    public static final String TEST_AMI = "fedimg:test-ami";
    /** On temporary resources: after this instant no job can still be using them. */
    public static final String EXPIRES_AT = "fedimg:test-expires-at";
    /** On a test instance terminated before its test: launched beyond the region's limit at once with another tester's. */
    public static final String GAVE_WAY = "fedimg:test-gave-way";
    /**
     * On a test instance terminated because a later attempt replaced it (its tester could not resume it, say an
     * ssh run whose private key died with the process): the attempt that replaced it.
     */
    public static final String SUPERSEDED_BY = "fedimg:test-superseded-by";
    /** On the test instance: user-data or ssh; only user-data runs can be resumed by another process. */
    public static final String TRANSPORT = "fedimg:test-transport";

    public static final String PURPOSE_INSTANCE = "test-instance";
    public static final String PURPOSE_KEY = "test-key";
    public static final String PURPOSE_SG = "test-sg";

    /** EC2 tag values hold at most 256 characters. */
    public static final int MAX_VALUE = 256;

    private TestTags() {
    }

    public static String fit(String value) {
        if (value == null) {
            return "";
        }
        String clean = Excerpts.clean(value).replace('\n', ' ').strip();
        return clean.length() <= MAX_VALUE ? clean : clean.substring(0, MAX_VALUE - 3) + "...";
    }
}
