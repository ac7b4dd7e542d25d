package org.fedoraproject.fedimg.replicator.api;

import java.time.Instant;
import java.util.List;

import org.fedoraproject.fedimg.events.AmiPublished;

/**
 * One AMI in one region, as the catalogue answers it; {@code storageType} is {@code ebs} or {@code instance-store};
 * {@code lifecycle} is where the AMI is in its life (docs/lifecycle.md).
 */
public record AmiView(
        String imageKey,
        String composeId,
        String composeType,
        String release,
        String arch,
        String subvariant,
        String imageName,
        String amiName,
        String variant,
        String storageType,
        String region,
        String amiId,
        String snapshotId,
        boolean isPublic,
        List<String> sharedWith,
        String outcome,
        String reason,
        Instant deprecationTime,
        String sourceAmiId,
        Instant time,
        String lifecycle) {

    /** @param lifecycle public, shared, deprecated, private, disabled or deregistered ({@code AmiLifecycles}); null if FAILED */
    static AmiView of(AmiPublished p, String lifecycle) {
        var img = p.image();
        return new AmiView(p.imageKey(), p.composeId(),
                img == null ? null : img.composeType(), img == null ? null : img.release(),
                img == null ? null : img.arch(), img == null ? null : img.subvariant(), img == null ? null : img.name(),
                p.sourceAmi() == null ? null : p.sourceAmi().amiName(),
                p.sourceAmi() == null || p.sourceAmi().variant() == null ? null : p.sourceAmi().variant().slug(),
                p.sourceAmi() == null || p.sourceAmi().variant() == null ? null : p.sourceAmi().variant().storageType(),
                p.region(), p.amiId(), p.snapshotId(), p.isPublic(), p.sharedWith(), p.outcome().name(), p.reason(),
                p.deprecationTime(), p.sourceAmi() == null ? null : p.sourceAmi().amiId(), p.time(), lifecycle);
    }
}
