package org.fedoraproject.fedimg.events;

/**
 * Pipeline stages; each maps to a fedimg bus topic {@code fedimg.image.<stage>}. LIFECYCLE is what happens to a
 * published AMI afterwards (made private, disabled, deregistered: the {@code reason} starts with which), from the
 * replicator making room under the public AMI quota or from the lifecycle job.
 */
public enum Stage {
    UPLOAD, TEST, COPY, PUBLISH, LIFECYCLE
}
