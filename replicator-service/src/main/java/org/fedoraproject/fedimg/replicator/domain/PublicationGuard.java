package org.fedoraproject.fedimg.replicator.domain;

import java.util.ArrayList;
import java.util.List;

import org.fedoraproject.fedimg.events.AmiTested;
import org.fedoraproject.fedimg.events.TestVerdict;

/**
 * The invariant: nothing is copied or made public unless its test passed and its image checksum matched
 * the compose metadata. This class is the only place that decides it. A {@link Permit} can only be made
 * here, and every step that copies, shares or makes public takes one, so code that skips the guard does
 * not compile.
 */
public final class PublicationGuard {

    private PublicationGuard() {
    }

    /** What the guard decided for one tested AMI. */
    public sealed interface Decision permits Permit, Refusal {
    }

    /**
     * Permission to replicate and publish exactly one source AMI.
     *
     * @param sourceAmiId the base-region AMI that passed; steps check they work on a copy of this one
     */
    public static final class Permit implements Decision {
        private final String imageKey;
        private final String sourceAmiId;
        private final String variant;

        private Permit(String imageKey, String sourceAmiId, String variant) {
            this.imageKey = imageKey;
            this.sourceAmiId = sourceAmiId;
            this.variant = variant;
        }

        public String imageKey() {
            return imageKey;
        }

        public String sourceAmiId() {
            return sourceAmiId;
        }

        public String variant() {
            return variant;
        }

        /** Throws unless this permit covers {@code amiSourceId}: a step must not publish another AMI on it. */
        public void requireCovers(String amiSourceId) {
            if (!sourceAmiId.equals(amiSourceId)) {
                throw new InvariantViolation("permit for " + sourceAmiId + " used to publish a copy of " + amiSourceId);
            }
        }

        @Override
        public String toString() {
            return "Permit[" + imageKey + " " + variant + " " + sourceAmiId + "]";
        }
    }

    /**
     * Nothing may be copied or published.
     *
     * @param invariantViolation true when the input claims a pass that cannot be trusted (e.g. a pass
     *                           without a verified checksum): an operator must look at it
     */
    public record Refusal(String reason, boolean invariantViolation) implements Decision {
    }

    /** Thrown when code tries to publish something the guard did not permit. */
    public static final class InvariantViolation extends RuntimeException {
        public InvariantViolation(String message) {
            super(message);
        }
    }

    public static Decision evaluate(AmiTested tested) {
        if (tested.ami() == null || tested.ami().amiId() == null || tested.ami().variant() == null) {
            return new Refusal("the event names no AMI to publish", true);
        }
        if (tested.verdict() != TestVerdict.PASSED) {
            String why = tested.verdict() == null ? "no test verdict" : "test " + tested.verdict();
            String detail = tested.reason() == null || tested.reason().isBlank() ? "" : ": " + tested.reason();
            return new Refusal(why + detail, false);
        }
        List<String> missing = new ArrayList<>();
        if (!tested.ami().checksumVerified()) {
            missing.add("the image checksum was not verified against the compose metadata");
        }
        if (tested.image() == null || tested.image().sha256() == null || tested.image().sha256().isBlank()) {
            missing.add("the event carries no image SHA-256");
        }
        if (!missing.isEmpty()) {
            return new Refusal("test PASSED but " + String.join(" and ", missing), true);
        }
        return new Permit(tested.imageKey(), tested.ami().amiId(), tested.ami().variant().slug());
    }

    /** For steps that must not run without a pass: the permit, or an {@link InvariantViolation}. */
    public static Permit require(AmiTested tested) {
        Decision d = evaluate(tested);
        if (d instanceof Permit p) {
            return p;
        }
        throw new InvariantViolation("refusing to publish " + tested.imageKey() + ": " + ((Refusal) d).reason());
    }
}
