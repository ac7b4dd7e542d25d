package org.fedoraproject.fedimg.lifecycle.domain;

import java.time.Instant;

import org.fedoraproject.fedimg.events.AmiVariant;
import org.fedoraproject.fedimg.events.ImageSpec;
import org.fedoraproject.fedimg.events.Stage;
import org.fedoraproject.fedimg.events.StageState;
import org.fedoraproject.fedimg.events.StageStatus;
import org.fedoraproject.fedimg.messaging.EventIds;

/**
 * The status event (and so the bus message, {@code fedimg.image.lifecycle}) for a lifecycle step carried out on
 * an AMI. Its id is derived from the AMI, region and step: the replicator and the lifecycle job, or two runs of
 * it, announcing the same step give the same id, which the bridge publishes once.
 */
public final class LifecycleEvents {

    private LifecycleEvents() {
    }

    /** @param reason starts with the step's past tense ({@code made-private: ...}) */
    public static StageStatus done(LifecycleAction action, String service, Instant time) {
        ManagedAmi a = action.ami();
        String key = a.imageKey() == null ? a.name() : a.imageKey();
        String name = a.name() == null ? key : a.name();
        ImageSpec image = new ImageSpec("", name + ".raw.xz", name, a.sha256(), 0, a.arch(), a.release(), a.composeType(),
                null, null, 0);
        return new StageStatus(EventIds.derived("lifecycle", a.region(), a.amiId(), action.kind().name()), key,
                a.composeId(), EventIds.derived("lifecycle-trace", a.amiId()), time, Stage.LIFECYCLE,
                StageState.COMPLETED, service, image, a.region(), a.amiId(), null, variant(a.variant()),
                action.kind().done() + ": " + action.reason(), null, null);
    }

    /** The variant slug ({@code hvm-gp3}, {@code hvm-gp3-encrypted}) back as a variant; null if not one. */
    static AmiVariant variant(String slug) {
        if (slug == null) {
            return null;
        }
        String[] parts = slug.split("-");
        if (parts.length < 2) {
            return null;
        }
        return new AmiVariant(parts[0], parts[1], parts.length > 2 && "encrypted".equals(parts[2]));
    }
}
