package org.fedoraproject.fedimg.replicator;

import java.time.Instant;
import java.util.List;

import org.fedoraproject.fedimg.events.AmiPublished;
import org.fedoraproject.fedimg.events.AmiRef;
import org.fedoraproject.fedimg.events.AmiTested;
import org.fedoraproject.fedimg.events.AmiVariant;
import org.fedoraproject.fedimg.events.ImageKeys;
import org.fedoraproject.fedimg.events.ImageSpec;
import org.fedoraproject.fedimg.events.RegionOutcome;
import org.fedoraproject.fedimg.events.TestVerdict;
import org.fedoraproject.fedimg.messaging.EventIds;

/** Small events of our own for tests that must run anywhere (no shared data). */
public final class Samples {

    public static final AmiVariant GP3 = new AmiVariant("hvm", "gp3", false);
    public static final AmiVariant GP3_ENCRYPTED = new AmiVariant("hvm", "gp3", true);
    public static final AmiVariant STANDARD = new AmiVariant("hvm", "standard", false);

    private Samples() {
    }

    public static ImageSpec image(String composeId, String composeType) {
        String file = "Fedora-Cloud-Base-AmazonEC2-41-" + composeId.hashCode() % 1000 + ".x86_64.raw.xz";
        return new ImageSpec("https://kojipkgs.example/compose/" + composeId + "/" + file, file,
                file.substring(0, file.length() - ".raw.xz".length()),
                "3f1c5e7d0b9a4c2e8d6f1a3b5c7e9d0f2a4b6c8e0d1f3a5b7c9e1d3f5a7b9c1d", 123456789L, "x86_64", "41",
                composeType, "Cloud", "Cloud_Base", 0);
    }

    public static AmiTested tested(String composeId, String composeType, AmiVariant variant, String amiId, String snapshotId,
            TestVerdict verdict, boolean checksumVerified) {
        ImageSpec image = image(composeId, composeType);
        String imageKey = ImageKeys.of(composeId, image.fileName());
        AmiRef ami = new AmiRef("us-east-1", amiId, image.name() + "-" + variant.slug(), snapshotId, "x86_64", variant, null,
                List.of(), checksumVerified);
        return new AmiTested(EventIds.derived("tested", imageKey, variant.slug(), amiId), imageKey, composeId,
                "trace-" + composeId, Instant.parse("2026-11-20T10:00:00Z"), image, ami, verdict,
                verdict == TestVerdict.PASSED ? 0 : 1, 42_000, "ok", "console", verdict == TestVerdict.PASSED ? null : "exit 1",
                amiId);
    }

    public static AmiPublished published(AmiTested t, String region, RegionOutcome outcome, String reason) {
        return new AmiPublished(EventIds.derived(t.eventId(), region, outcome.name()), t.imageKey(), t.composeId(),
                t.traceId(), Instant.parse("2026-11-20T10:30:00Z"), t.image(), t.ami(), region,
                outcome == RegionOutcome.FAILED ? null : "ami-" + region.hashCode(), "snap-1",
                outcome == RegionOutcome.PUBLISHED, List.of(), outcome, reason, null);
    }
}
