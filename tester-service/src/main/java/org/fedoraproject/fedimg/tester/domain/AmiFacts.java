package org.fedoraproject.fedimg.tester.domain;

import java.util.Map;
import java.util.Optional;

/**
 * What EC2 says about one AMI (DescribeImages), not what an event claims: architecture, virtualization
 * type, root volume type and encryption, and the tags holding the test state. An instance-store AMI has no
 * root volume: its volume type is {@link #INSTANCE_STORE}.
 */
public record AmiFacts(
        String amiId,
        String architecture,
        String virtualizationType,
        String volumeType,
        boolean encrypted,
        Map<String, String> tags) {

    public static final String INSTANCE_STORE = "instance-store";

    public boolean instanceStore() {
        return INSTANCE_STORE.equals(volumeType);
    }

    public Optional<TestOutcome> verdict() {
        return ResultMarker.read(tags);
    }

    /** A test was started and has no verdict yet: it may still be running. */
    public boolean testInFlight() {
        return verdict().isEmpty() && TestAttempts.current(tags) > 0;
    }

    /**
     * AMIs whose verdict may stand for each other: they differ only in the volume type of their root device. An
     * instance-store AMI boots from its bundle, on another instance type, so it is a group of its own.
     */
    public String groupKey() {
        return architecture + "/" + virtualizationType + (encrypted ? "/encrypted" : "")
                + (instanceStore() ? "/instance-store" : "");
    }
}
