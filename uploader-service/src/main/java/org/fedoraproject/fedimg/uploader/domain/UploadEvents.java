package org.fedoraproject.fedimg.uploader.domain;

import java.time.Clock;
import java.time.Instant;

import org.fedoraproject.fedimg.events.AmiRef;
import org.fedoraproject.fedimg.events.AmiRegistered;
import org.fedoraproject.fedimg.events.AmiVariant;
import org.fedoraproject.fedimg.events.ImageReady;
import org.fedoraproject.fedimg.events.Stage;
import org.fedoraproject.fedimg.events.StageState;
import org.fedoraproject.fedimg.events.StageStatus;
import org.fedoraproject.fedimg.messaging.EventIds;

/**
 * The events the uploader writes for one {@link ImageReady}. Ids are derived from the input event id plus
 * the step, variant and region, so a redelivered input produces the same ids.
 */
public final class UploadEvents {

    public static final String SERVICE = "uploader";

    private final ImageReady input;
    private final String region;
    private final Clock clock;

    public UploadEvents(ImageReady input, String region, Clock clock) {
        this.input = input;
        this.region = region;
        this.clock = clock;
    }

    public StageStatus started(AmiVariant variant) {
        return status(StageState.STARTED, variant, null, null, null, null, "upload-started");
    }

    public StageStatus progress(long seq, StageStatus.Progress progress) {
        return status(StageState.PROGRESS, null, null, "uploading", progress, null,
                "upload-progress", String.valueOf(seq));
    }

    public StageStatus completed(AmiRef ami) {
        return status(StageState.COMPLETED, ami.variant(), ami.amiId(), null, null, null, "upload-completed");
    }

    public StageStatus failed(AmiVariant variant, String reason, String consoleExcerpt) {
        return status(StageState.FAILED, variant, null, reason, null, consoleExcerpt, "upload-failed");
    }

    public AmiRegistered registered(AmiRef ami) {
        return new AmiRegistered(EventIds.derived(input.eventId(), "ami-registered", ami.variant().slug(), region),
                input.imageKey(), input.composeId(), input.traceId(), now(), input.image(), ami);
    }

    private StageStatus status(StageState state, AmiVariant variant, String amiId, String reason,
            StageStatus.Progress progress, String console, String step, String... extra) {
        String[] parts = new String[4 + extra.length];
        parts[0] = input.eventId();
        parts[1] = step;
        parts[2] = variant == null ? "image" : variant.slug();
        parts[3] = region;
        System.arraycopy(extra, 0, parts, 4, extra.length);
        return new StageStatus(EventIds.derived(parts), input.imageKey(), input.composeId(), input.traceId(), now(),
                Stage.UPLOAD, state, SERVICE, input.image(), region, amiId, null, variant, reason, progress, console);
    }

    private Instant now() {
        return clock.instant();
    }
}
