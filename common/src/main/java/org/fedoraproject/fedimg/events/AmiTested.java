package org.fedoraproject.fedimg.events;

import java.time.Instant;

/**
 * The verdict of the test instance booted from an AMI. Tester → replicator.
 *
 * @param testedAmiId the AMI that was actually booted; differs from {@code ami.amiId()} when the verdict
 *                    of a volume-type sibling was applied
 * @param exitCode    the test script's exit code; null when it never ran to the end (timeout, not ready)
 * @param outputExcerpt  bounded tail of the script's output
 * @param consoleExcerpt bounded tail of the instance console
 */
public record AmiTested(
        String eventId,
        String imageKey,
        String composeId,
        String traceId,
        Instant time,
        ImageSpec image,
        AmiRef ami,
        TestVerdict verdict,
        Integer exitCode,
        long durationMillis,
        String outputExcerpt,
        String consoleExcerpt,
        String reason,
        String testedAmiId) implements FedimgEvent {
}
