package org.fedoraproject.fedimg.cli.janitor;

/** What {@code --delete} did with one finding. */
public record Outcome(Finding finding, Status status, String detail) {

    public enum Status {
        DELETED, ALREADY_GONE, MARKED, FAILED, REFUSED;

        public boolean failed() {
            return this == FAILED;
        }
    }
}
