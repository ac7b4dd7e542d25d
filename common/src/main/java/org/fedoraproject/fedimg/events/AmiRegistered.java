package org.fedoraproject.fedimg.events;

import java.time.Instant;

/** An AMI was registered in the base region from a verified snapshot. Uploader → tester. */
public record AmiRegistered(
        String eventId,
        String imageKey,
        String composeId,
        String traceId,
        Instant time,
        ImageSpec image,
        AmiRef ami) implements FedimgEvent {
}
