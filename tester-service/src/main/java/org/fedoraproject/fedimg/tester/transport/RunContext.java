package org.fedoraproject.fedimg.tester.transport;

import java.time.Instant;
import java.util.Map;

/**
 * One attempt at testing one AMI.
 *
 * @param tags        the tags of every temporary resource of this attempt
 * @param expiresAt   after this no job may still use the attempt's resources
 */
public record RunContext(
        String region,
        String amiId,
        String architecture,
        int attempt,
        String runId,
        String script,
        Map<String, String> tags,
        Instant expiresAt) {
}
