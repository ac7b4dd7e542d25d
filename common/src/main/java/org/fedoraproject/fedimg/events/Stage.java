package org.fedoraproject.fedimg.events;

/** Pipeline stages; each maps to a fedimg bus topic {@code fedimg.image.<stage>}. */
public enum Stage {
    UPLOAD, TEST, COPY, PUBLISH
}
