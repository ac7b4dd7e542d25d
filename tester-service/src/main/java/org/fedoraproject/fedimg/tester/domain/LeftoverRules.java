package org.fedoraproject.fedimg.tester.domain;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Optional;

/**
 * Whether a tagged temporary resource (test instance, key pair, security group) found by the sweep may
 * be removed. A resource of a job that a redelivered event may still resume is kept; everything whose
 * job is over, superseded or past its deadline goes.
 */
public final class LeftoverRules {

    private LeftoverRules() {
    }

    /**
     * @param resourceTags tags of the leftover
     * @param ami          the AMI it tests, empty when that AMI no longer exists
     * @param activeHere   a job of this process is working on that AMI now
     * @return why it can go, or empty to keep it
     */
    public static Optional<String> removable(Map<String, String> resourceTags, Optional<AmiFacts> ami,
            boolean activeHere, Instant now) {
        if (activeHere) {
            return Optional.empty();
        }
        Optional<Instant> expires = expiresAt(resourceTags);
        if (expires.isPresent() && now.isAfter(expires.get())) {
            return Optional.of("past its deadline " + expires.get());
        }
        if (ami.isEmpty()) {
            return Optional.of("its AMI no longer exists");
        }
        if (ami.get().verdict().isPresent()) {
            return Optional.of("the verdict of " + ami.get().amiId() + " is recorded");
        }
        int mine = TestAttempts.current(Map.of(TestTags.ATTEMPT, resourceTags.getOrDefault(TestTags.ATTEMPT, "0")));
        if (mine < TestAttempts.current(ami.get().tags())) {
            return Optional.of("attempt " + mine + " was superseded");
        }
        return Optional.empty();
    }

    static Optional<Instant> expiresAt(Map<String, String> tags) {
        String value = tags.get(TestTags.EXPIRES_AT);
        if (value == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(Instant.parse(value));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }
}
