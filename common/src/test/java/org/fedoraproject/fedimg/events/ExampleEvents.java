package org.fedoraproject.fedimg.events;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** One realistic example of every event type, shared by the contract tests. */
final class ExampleEvents {

    static final String COMPOSE = "Fedora-Cloud-41-20241020.0";
    static final String FILE = "Fedora-Cloud-Base-AmazonEC2-41-1.4.x86_64.raw.xz";
    static final String KEY = ImageKeys.of(COMPOSE, FILE);
    static final Instant T = Instant.parse("2024-10-20T12:34:56Z");

    static final ImageSpec IMAGE = new ImageSpec(
            "https://kojipkgs.fedoraproject.org/compose/cloud/" + COMPOSE + "/compose/Cloud/x86_64/images/" + FILE,
            FILE, "Fedora-Cloud-Base-AmazonEC2-41-1.4.x86_64",
            "c0c1b2e5e0d45bd6d2c8a7a55b83a73bf4f2ac2d84cb7ca2fb0f4b1c7e1a2b3c", 412_316_860L,
            "x86_64", "41", "production", "Cloud", "Cloud_Base", 0);
    static final AmiVariant GP3 = new AmiVariant("hvm", "gp3", false);
    static final AmiRef AMI = new AmiRef("us-east-1", "ami-0123456789abcdef0",
            "Fedora-Cloud-Base-AmazonEC2-41-1.4.x86_64-hvm-gp3", "snap-0123456789abcdef0", "x86_64", GP3,
            null, List.of(), true);
    /** An instance-store AMI (issue 22): no snapshot. */
    static final AmiRef BUNDLE_AMI = new AmiRef("us-east-1", "ami-0a0b0c0d0e0f01234",
            "Fedora-Cloud-Base-AmazonEC2-41-1.4.x86_64-paravirtual-instance-store", null, "x86_64",
            AmiVariant.instanceStore("paravirtual"), null, List.of(), true);

    static List<FedimgEvent> all() {
        return List.of(
                new ImageReady("e1", KEY, COMPOSE, "t1", T, IMAGE, false, "2024-5f3d6c1e-0000-4000-8000-000000000001"),
                new AmiRegistered("e2", KEY, COMPOSE, "t1", T, IMAGE, AMI),
                new AmiRegistered("e2b", KEY, COMPOSE, "t1", T, IMAGE, BUNDLE_AMI),
                new AmiTested("e3b", KEY, COMPOSE, "t1", T, IMAGE, BUNDLE_AMI, TestVerdict.PASSED, 0, 93_000L,
                        "fedimg-test: ok", "login:", null, BUNDLE_AMI.amiId()),
                new AmiPublished("e4b", KEY, COMPOSE, "t1", T, IMAGE, BUNDLE_AMI, "eu-west-1", "ami-0fedcba987654bbbb",
                        null, true, List.of(), RegionOutcome.PUBLISHED, null, null),
                new AmiTested("e3", KEY, COMPOSE, "t1", T, IMAGE, AMI, TestVerdict.PASSED, 0, 93_000L,
                        "fedimg-test: ok", "[  OK  ] Reached target multi-user.target", null, AMI.amiId()),
                new AmiPublished("e4", KEY, COMPOSE, "t1", T, IMAGE, AMI, "eu-west-1", "ami-0fedcba9876543210",
                        "snap-0fedcba9876543210", true, List.of(), RegionOutcome.PUBLISHED, null, null),
                new ImagePublished("e5", KEY, COMPOSE, "t1", T, IMAGE, ImageOutcome.PARTIAL, List.of(
                        new ImagePublished.Result("eu-west-1", GP3.slug(), "ami-0fedcba9876543210",
                                "snap-0fedcba9876543210", true, RegionOutcome.PUBLISHED, null),
                        new ImagePublished.Result("ap-east-1", GP3.slug(), null, null, false, RegionOutcome.FAILED,
                                "CopyImage failed: InternalError")), "1 of 2 regions failed"),
                new StageStatus("e6", KEY, COMPOSE, "t1", T, Stage.UPLOAD, StageState.PROGRESS, "uploader", IMAGE,
                        "us-east-1", null, null, GP3, null, new StageStatus.Progress(1L << 30, 3L << 29, 3072, 1024), null),
                new DeadLetter("e7", null, null, "t2", T, "bridge-fedmsg",
                        "amqp:org.fedoraproject.prod.pungi.compose.status.change", DeadLetterReason.MALFORMED_MESSAGE.name(),
                        "body is not JSON: Unexpected character ('<')", "<html>", Map.of("content_type", "text/html")));
    }

    private ExampleEvents() {
    }
}
