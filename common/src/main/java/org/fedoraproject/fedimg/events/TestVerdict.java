package org.fedoraproject.fedimg.events;

public enum TestVerdict {
    PASSED, FAILED
}
