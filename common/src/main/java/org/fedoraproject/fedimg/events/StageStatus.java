package org.fedoraproject.fedimg.events;

import java.time.Instant;

/**
 * A stage started, made progress, completed or failed. The bridge turns these into the original fedimg
 * bus messages ({@code image.upload}, {@code image.test}, {@code image.copy}, {@code image.publish}).
 *
 * @param region       the fedimg {@code destination}
 * @param amiId        the fedimg {@code extra.id}; null before the AMI exists
 * @param sourceAmiId  for copies: the base-region AMI ({@code extra.source_image_id})
 * @param variant      {@code extra.virt_type} / {@code extra.vol_type}; null for image-wide steps
 * @param reason       why it failed, or a short human note
 * @param progress     for {@link StageState#PROGRESS} during long uploads
 * @param consoleExcerpt bounded tail of an instance console, for utility-instance and test failures
 */
public record StageStatus(
        String eventId,
        String imageKey,
        String composeId,
        String traceId,
        Instant time,
        Stage stage,
        StageState state,
        String service,
        ImageSpec image,
        String region,
        String amiId,
        String sourceAmiId,
        AmiVariant variant,
        String reason,
        Progress progress,
        String consoleExcerpt) implements FedimgEvent {

    public record Progress(long bytesRead, long bytesWritten, long blocksWritten, long blocksSkipped) {
    }
}
