package org.fedoraproject.fedimg.cli.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.fedoraproject.fedimg.events.AmiPublished;
import org.fedoraproject.fedimg.events.AmiRef;
import org.fedoraproject.fedimg.events.AmiTested;
import org.fedoraproject.fedimg.events.AmiVariant;
import org.fedoraproject.fedimg.events.DeadLetter;
import org.fedoraproject.fedimg.events.ImageOutcome;
import org.fedoraproject.fedimg.events.ImagePublished;
import org.fedoraproject.fedimg.events.ImageReady;
import org.fedoraproject.fedimg.events.ImageSpec;
import org.fedoraproject.fedimg.events.RegionOutcome;
import org.fedoraproject.fedimg.events.TestVerdict;
import org.junit.jupiter.api.Test;

/** Local mode follows every compose, not only its own, and ends each with its table and test verdicts. */
class RunReportTest {

    private static final AmiVariant GP3 = new AmiVariant("hvm", "gp3", false);
    private final ByteArrayOutputStream printed = new ByteArrayOutputStream();
    private final RunReport report = new RunReport(new PrintStream(printed, true, StandardCharsets.UTF_8),
            (region, ami) -> !region.equals("eu-west-1"));

    @Test
    void everyComposeEndsWithItsTableAndVerdictsAndLaterOnesToo() throws Exception {
        String first = "Fedora-Cloud-43-20261207.0";
        var x86 = image(first, "x86_64");
        report.event(ready(first, x86));
        assertThat(report.accepted(first)).isTrue();
        report.event(tested(first, x86, TestVerdict.PASSED, 0, "line 1\nline 2\n" + "kernel line\n".repeat(20) + "last line\n"));
        report.event(tested(first, x86, TestVerdict.PASSED, 0, null)); // a redelivery: the recorded verdict again
        report.event(published(first, x86, "us-east-1"));
        report.event(published(first, x86, "eu-west-1"));
        assertThat(report.done(first)).isNotDone();
        report.event(aggregate(first, x86, ImageOutcome.COMPLETE));
        assertThat(report.done(first)).isCompletedWithValue(true);
        String output = printed.toString(StandardCharsets.UTF_8);
        assertThat(output).contains("== " + first + ": 1 images done, 1 made public, 0 dead letters")
                .containsPattern("eu-west-1 +x86_64 +hvm-gp3 +ami-eu-west-1 +no")
                .containsPattern("us-east-1 +x86_64 +hvm-gp3 +ami-us-east-1 +yes")
                .contains("TEST " + x86.fileName() + " hvm-gp3: PASSED (exit 0)")
                .contains("console, last " + RunReport.CONSOLE_LINES + " lines:", "  | last line")
                .doesNotContain("line 2", "(no console output)");

        // a compose that arrives later, and one the bridge dead-letters before any image
        String later = "Fedora-Cloud-44-20261208.0";
        var arm = image(later, "aarch64");
        report.event(ready(later, arm));
        report.event(tested(later, arm, TestVerdict.FAILED, 1, null));
        report.event(aggregate(later, arm, ImageOutcome.REJECTED));
        assertThat(report.done(later)).isCompletedWithValue(false);
        String broken = "Fedora-Cloud-45-20261209.0";
        report.event(new DeadLetter("d1", null, broken, "t", Instant.now(), "bridge-fedmsg", "fedmsg", "NO_EC2_IMAGES",
                "no EC2 image in the compose", "{}", Map.of()));
        assertThat(report.accepted(broken)).isTrue();
        assertThat(report.done(broken)).isCompletedWithValue(false);
        assertThat(printed.toString(StandardCharsets.UTF_8))
                .contains("== " + later + ": 1 images done, 0 made public, 0 dead letters", "FAILED (exit 1)",
                        "(no console output)", "DEAD LETTER        bridge-fedmsg NO_EC2_IMAGES: no EC2 image in the compose",
                        "== " + broken + ": 0 images done, 0 made public, 1 dead letters");

        // the first compose again (a replay): a round of its own, with its own summary
        report.event(ready(first, x86));
        assertThat(report.done(first)).isNotDone();
        report.event(aggregate(first, x86, ImageOutcome.COMPLETE));
        assertThat(report.done(first)).isCompletedWithValue(true);
        assertThat(printed.toString(StandardCharsets.UTF_8).split("== " + first, -1)).hasSize(3);
    }

    @Test
    void successorMessagesAreAwaitedForThePublicImages() throws Exception {
        String compose = "Fedora-Cloud-43-20261207.0";
        var x86 = image(compose, "x86_64");
        report.event(ready(compose, x86));
        report.event(aggregate(compose, x86, ImageOutcome.COMPLETE));
        assertThat(report.awaitSuccessorMessages(compose, Duration.ofMillis(50))).isFalse();
        report.busMessage("org.fedoraproject.local-x.fedimg.image.copy");
        report.busMessage("org.fedoraproject.local-x.fedora_image_uploader.published.v1.aws.Cloud_Base.43.x86_64");
        assertThat(report.awaitSuccessorMessages(compose, Duration.ofMillis(50))).isTrue();
        assertThat(printed.toString(StandardCharsets.UTF_8)).contains("fedora_image_uploader.published.v1.aws.Cloud_Base.43.x86_64")
                .doesNotContain("image.copy");
    }

    private static ImageSpec image(String compose, String arch) {
        String file = "Fedora-Cloud-Base-AmazonEC2-" + compose.split("-")[2] + "." + arch + ".raw.xz";
        return new ImageSpec("http://127.0.0.1/compose/" + file, file, file.replace(".raw.xz", ""), "ab".repeat(32), 10,
                arch, compose.split("-")[2], "production", "Cloud", "Cloud_Base", 0);
    }

    private static String key(String compose, ImageSpec image) {
        return compose + "/" + image.fileName();
    }

    private static ImageReady ready(String compose, ImageSpec image) {
        return new ImageReady("r-" + image.fileName(), key(compose, image), compose, "t", Instant.now(), image, false, "m");
    }

    private static AmiRef ami(ImageSpec image) {
        return new AmiRef("us-east-1", "ami-base", "name", "snap-1", image.ec2Architecture(), GP3, null, List.of(), true);
    }

    private static AmiTested tested(String compose, ImageSpec image, TestVerdict verdict, int exit, String console) {
        return new AmiTested("t-" + image.fileName(), key(compose, image), compose, "t", Instant.now(), image, ami(image),
                verdict, exit, 1500, "out", console, null, "ami-base");
    }

    private static AmiPublished published(String compose, ImageSpec image, String region) {
        return new AmiPublished("p-" + region, key(compose, image), compose, "t", Instant.now(), image, ami(image), region,
                "ami-" + region, "snap-" + region, true, List.of(), RegionOutcome.PUBLISHED, null, null);
    }

    private static ImagePublished aggregate(String compose, ImageSpec image, ImageOutcome outcome) {
        return new ImagePublished("a-" + image.fileName(), key(compose, image), compose, "t", Instant.now(), image, outcome,
                List.of(), null);
    }
}
