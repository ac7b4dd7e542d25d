package org.fedoraproject.fedimg.replicator.catalogue;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import org.fedoraproject.fedimg.events.AmiPublished;
import org.fedoraproject.fedimg.events.RegionOutcome;
import org.fedoraproject.fedimg.events.Stage;
import org.fedoraproject.fedimg.events.StageState;
import org.fedoraproject.fedimg.events.StageStatus;
import org.fedoraproject.fedimg.lifecycle.domain.LifecycleAction.Kind;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * Each published AMI's lifecycle state, for the catalogue and the status page: the furthest lifecycle step announced
 * for it on {@code fedimg.status} (by the replicator making room, or the lifecycle job), else what its publication
 * and deprecation time say. Folded by the status page's reader from the beginning of the topic, like the page itself;
 * a step older than the status topic's retention is no longer known (the AMI then shows as published).
 */
@ApplicationScoped
public class AmiLifecycles {

    /** What the catalogue shows, in the order an AMI goes through them. */
    public enum State {
        PUBLIC, SHARED, DEPRECATED, PRIVATE, DISABLED, DEREGISTERED;

        public String label() {
            return name().toLowerCase();
        }
    }

    private final Map<String, State> steps = new HashMap<>();

    /** A lifecycle step's status (stage LIFECYCLE, reason starting with the step's past tense); others are ignored. */
    public synchronized void apply(StageStatus s) {
        if (s.stage() != Stage.LIFECYCLE || s.state() != StageState.COMPLETED || s.amiId() == null || s.reason() == null) {
            return;
        }
        step(s.reason()).ifPresent(state -> steps.merge(key(s.region(), s.amiId()), state,
                (a, b) -> a.compareTo(b) >= 0 ? a : b));
    }

    /** Null for a region that failed: there is no AMI to have a state. */
    public synchronized State state(AmiPublished p, Instant now) {
        if (p.outcome() == RegionOutcome.FAILED || p.amiId() == null) {
            return null;
        }
        State step = steps.get(key(p.region(), p.amiId()));
        if (step != null) {
            return step;
        }
        if (p.deprecationTime() != null && !p.deprecationTime().isAfter(now)) {
            return State.DEPRECATED;
        }
        return p.isPublic() ? State.PUBLIC : State.SHARED;
    }

    static Optional<State> step(String reason) {
        if (reason.startsWith(Kind.DEREGISTER.done() + ":")) {
            return Optional.of(State.DEREGISTERED);
        }
        if (reason.startsWith(Kind.DISABLE.done() + ":")) {
            return Optional.of(State.DISABLED);
        }
        if (reason.startsWith(Kind.MAKE_PRIVATE.done() + ":")) {
            return Optional.of(State.PRIVATE);
        }
        return Optional.empty();
    }

    private static String key(String region, String amiId) {
        return region + "/" + amiId;
    }
}
