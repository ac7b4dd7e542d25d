package org.fedoraproject.fedimg.lifecycle.domain;

/** One step of an AMI's life after publication, with the reason an operator reads in the plan. */
public record LifecycleAction(ManagedAmi ami, Kind kind, String reason) {

    public enum Kind {
        /** Its launch permission for everyone and its snapshots' create-volume permission are removed. */
        MAKE_PRIVATE("made-private"),
        /** DisableImage: it can no longer be launched. */
        DISABLE("disabled"),
        /** DeregisterImage, and its snapshots deleted. */
        DEREGISTER("deregistered");

        private final String done;

        Kind(String done) {
            this.done = done;
        }

        /** The past tense used in bus messages and the catalogue. */
        public String done() {
            return done;
        }
    }
}
