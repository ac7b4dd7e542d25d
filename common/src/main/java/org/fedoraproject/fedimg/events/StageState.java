package org.fedoraproject.fedimg.events;

public enum StageState {
    STARTED, PROGRESS, COMPLETED, FAILED
}
