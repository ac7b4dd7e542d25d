package org.fedoraproject.fedimg.uploader;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import org.fedoraproject.fedimg.aws.AwsTags;
import org.fedoraproject.fedimg.events.DeadLetter;
import org.fedoraproject.fedimg.events.ImageReady;
import org.fedoraproject.fedimg.events.ImageSpec;
import org.fedoraproject.fedimg.events.StageState;
import org.fedoraproject.fedimg.events.StageStatus;
import org.fedoraproject.fedimg.events.Topics;
import org.fedoraproject.fedimg.testing.DeadLetterContract;
import org.fedoraproject.fedimg.uploader.support.TestImages;
import org.fedoraproject.fedimg.uploader.support.UploaderQuarkusTest;
import org.fedoraproject.fedimg.uploader.support.Uploads;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;

/**
 * Every dead letter the uploader writes, from a real input, checked as the record on the topic against
 * {@code dead-letter.v1.json}: an unreadable record (text and binary), and each reason a job is refused for.
 * CONFIGURATION_ERROR needs another configuration: {@link ParavirtualConfigurationTest}.
 */
@QuarkusTest
class DeadLetterContractTest extends UploaderQuarkusTest {

    static final Duration WAIT = Duration.ofSeconds(90);
    static final byte[] RAW = TestImages.raw(5 * 1024 * 1024 + 4321, 11);
    static final byte[] SINGLE = TestImages.xzSingleBlock(RAW);
    static final byte[] MULTI = TestImages.xzMultiBlock(RAW, 1024 * 1024);

    @Test
    void unreadableRecordsAreDeadLetteredAsTextOrBase64() {
        String text = "{not json " + System.nanoTime();
        byte[] binary = {(byte) 0xfd, 0x37, 0x7a, 0x58, 0x5a, 0, (byte) System.nanoTime()};
        probe.sendRaw(Topics.IMAGES, "garbage-" + System.nanoTime(), text.getBytes());
        probe.sendRaw(Topics.IMAGES, "binary-" + System.nanoTime(), binary);
        String base64 = "base64:" + Base64.getEncoder().encodeToString(binary);
        Map<String, DeadLetter> letters = DeadLetterContract.await(probe, WAIT, Map.of(
                "text", d -> text.equals(d.originalPayload()),
                "binary", d -> base64.equals(d.originalPayload())));
        assertThat(letters.values()).allSatisfy(d -> {
            assertThat(d.reasonCode()).isEqualTo("MALFORMED_MESSAGE");
            assertThat(d.service()).isEqualTo("uploader");
            assertThat(d.source()).isEqualTo("kafka:" + Topics.IMAGES);
            assertThat(d.traceId()).isNotBlank();
        });
    }

    @Test
    void checksumMismatchLeavesNothingBehind() {
        server.serve("/bad-sha/Fedora.raw.xz", SINGLE);
        ImageReady good = Uploads.event(server.url("/bad-sha/Fedora.raw.xz"), SINGLE, "x86_64");
        String wrong = good.image().sha256().replace(good.image().sha256().charAt(5),
                good.image().sha256().charAt(5) == 'a' ? 'b' : 'a');
        assertFailsWith(Uploads.withImage(good, with(good.image(), wrong, good.image().sizeBytes())),
                "CHECKSUM_MISMATCH");
    }

    @Test
    void missingImageIsImageNotFound() {
        ImageReady event = Uploads.event(server.url("/gone/Fedora.raw.xz"), SINGLE, "x86_64");
        long starts = aws.inspect().callCount("StartSnapshot");
        assertFailsWith(event, "IMAGE_NOT_FOUND");
        // found out from the xz index request, before anything was created in AWS
        assertThat(aws.inspect().callCount("StartSnapshot")).isEqualTo(starts);
    }

    @Test
    void aServerThatRefusesTheDownloadIsDownloadFailed() {
        server.status("/forbidden/Fedora.raw.xz", 403);
        assertFailsWith(Uploads.event(server.url("/forbidden/Fedora.raw.xz"), SINGLE, "x86_64"), "DOWNLOAD_FAILED");
    }

    @Test
    void aFileOfAnotherSizeThanTheMetadataSaysIsSizeMismatch() {
        server.serve("/longer/Fedora.raw.xz", SINGLE);
        ImageReady good = Uploads.event(server.url("/longer/Fedora.raw.xz"), SINGLE, "x86_64");
        assertFailsWith(Uploads.withImage(good, with(good.image(), good.image().sha256(), SINGLE.length + 100L)),
                "SIZE_MISMATCH");
    }

    @Test
    void truncatedXzIsRejected() {
        byte[] truncated = Arrays.copyOf(MULTI, MULTI.length * 2 / 3);
        server.serve("/truncated/Fedora.raw.xz", truncated);
        assertFailsWith(Uploads.event(server.url("/truncated/Fedora.raw.xz"), truncated, "x86_64"), "TRUNCATED_XZ");
    }

    @Test
    void fileThatIsNotXzIsRejected() {
        server.serve("/plain/Fedora.raw.xz", RAW);
        assertFailsWith(Uploads.event(server.url("/plain/Fedora.raw.xz"), RAW, "x86_64"), "NOT_XZ");
    }

    @Test
    void awsRefusingPastEveryRetryIsAnInvariantViolation() {
        server.serve("/refused/Fedora.raw.xz", SINGLE);
        ImageReady event = Uploads.event(server.url("/refused/Fedora.raw.xz"), SINGLE, "x86_64");
        // every attempt of the job (fedimg.uploader.job-attempts) is refused; the SDK does not retry a 400
        aws.faults().failCall("RegisterImage", 100, "InvalidParameterValue");
        uploads.send(event);
        DeadLetter dl = deadLetterOf(event);
        assertThat(dl.reasonCode()).isEqualTo("INVARIANT_VIOLATION");
        assertThat(dl.reason()).contains("InvalidParameterValue");
        assertThat(uploads.awaitStatuses(event, s -> s.stream().filter(x -> x.state() == StageState.FAILED).count() == 2,
                WAIT)).filteredOn(s -> s.state() == StageState.FAILED).hasSize(2);
        assertThat(uploads.registered(event)).isEmpty();
    }

    @Test
    void untrustedSourcesAreRefusedBeforeAnyAwsCallAndNothingIsFetched() {
        var callsBefore = aws.inspect().callCounts();
        int requestsBefore = server.requests().size();
        Map<String, String> urls = Map.of(
                "metadata", "http://169.254.169.254/latest/meta-data/iam/Fedora.raw.xz",
                "file", "file:///etc/passwd.raw.xz",
                "jar", "jar:" + server.url("/x.jar") + "!/Fedora.raw.xz",
                "ftp", "ftp://127.0.0.1/Fedora.raw.xz",
                "elsewhere", "https://compose.evil.example/Fedora.raw.xz",
                "private", "http://10.1.2.3/compose/Fedora.raw.xz",
                "climb", server.url("/compose/../../etc/Fedora.raw.xz"));
        Map<String, ImageReady> events = new java.util.LinkedHashMap<>();
        urls.forEach((name, url) -> {
            ImageReady e = Uploads.event(server.url("/" + name + "/Fedora.raw.xz"), SINGLE, "x86_64");
            events.put(name, Uploads.withImage(e, withUrl(e.image(), url)));
        });
        events.values().forEach(uploads::send);
        events.forEach((name, event) -> {
            DeadLetter dl = deadLetterOf(event);
            assertThat(dl.reasonCode()).as(name).isEqualTo("UNTRUSTED_SOURCE");
            assertThat(dl.reason()).as(name).contains(urls.get(name));
        });
        assertThat(aws.inspect().callCounts()).as("no AWS call for an untrusted image").isEqualTo(callsBefore);
        assertThat(server.requests()).hasSize(requestsBefore);
    }

    @Test
    void aRedirectAwayFromTheTrustedSourcesIsUntrustedSource() {
        server.redirect("/redirected/Fedora.raw.xz", "http://169.254.169.254/latest/meta-data/Fedora.raw.xz");
        assertFailsWith(Uploads.event(server.url("/redirected/Fedora.raw.xz"), SINGLE, "x86_64"),
                "UNTRUSTED_SOURCE");
    }

    @Test
    void anImageDeclaredLargerThanTheBoundsIsImageTooLarge() {
        server.serve("/huge/Fedora.raw.xz", SINGLE);
        ImageReady good = Uploads.event(server.url("/huge/Fedora.raw.xz"), SINGLE, "x86_64");
        long callsBefore = aws.inspect().callCounts().values().stream().mapToLong(Long::longValue).sum();
        ImageReady huge = Uploads.withImage(good, with(good.image(), good.image().sha256(), 1L << 40));
        uploads.send(huge);
        DeadLetter dl = deadLetterOf(huge);
        assertThat(dl.reasonCode()).isEqualTo("IMAGE_TOO_LARGE");
        assertThat(dl.reason()).contains("max-image-bytes");
        assertThat(aws.inspect().callCounts().values().stream().mapToLong(Long::longValue).sum())
                .isEqualTo(callsBefore);
    }

    /**
     * An xz bomb: a few MiB of xz (one stream of 64 MiB of zeros, concatenated 33 times) that decompresses to
     * 2.06 GiB, more than the largest volume the test profile allows (fedimg.uploader.ebs.max-volume-size-gib=2).
     * Refused from the xz index, before a snapshot exists.
     */
    @Test
    void anXzBombIsImageTooLargeBeforeAnySnapshot() throws Exception {
        java.io.ByteArrayOutputStream stream = new java.io.ByteArrayOutputStream();
        try (org.tukaani.xz.XZOutputStream xz = new org.tukaani.xz.XZOutputStream(stream,
                new org.tukaani.xz.LZMA2Options(0))) {
            byte[] zeros = new byte[1024 * 1024];
            for (int i = 0; i < 64; i++) {
                xz.write(zeros);
            }
        }
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < 33; i++) {
            stream.writeTo(out);
        }
        byte[] bomb = out.toByteArray();
        assertThat(bomb.length).isLessThan(4 * 1024 * 1024);
        server.serve("/bomb/Fedora.raw.xz", bomb);
        ImageReady event = Uploads.event(server.url("/bomb/Fedora.raw.xz"), bomb, "x86_64");
        long starts = aws.inspect().callCount("StartSnapshot");
        uploads.send(event);
        DeadLetter dl = deadLetterOf(event);
        assertThat(dl.reasonCode()).isEqualTo("IMAGE_TOO_LARGE");
        assertThat(dl.reason()).contains("xz index").contains("max-volume-size-gib");
        assertThat(aws.inspect().callCount("StartSnapshot")).isEqualTo(starts);
        assertThat(server.requests()).noneMatch(r -> r.equals("GET /bomb/Fedora.raw.xz"));
    }

    private DeadLetter deadLetterOf(ImageReady event) {
        DeadLetter dl = DeadLetterContract.await(probe, WAIT, Map.of(event.imageKey(),
                d -> event.imageKey().equals(d.imageKey()))).get(event.imageKey());
        assertThat(dl.service()).isEqualTo("uploader");
        assertThat(dl.source()).isEqualTo("kafka:" + Topics.IMAGES);
        assertThat(dl.composeId()).isEqualTo(event.composeId());
        assertThat(dl.originalPayload()).contains(event.eventId());
        assertThat(dl.traceId()).isEqualTo(event.traceId());
        return dl;
    }

    private void assertFailsWith(ImageReady event, String reason) {
        long registers = aws.inspect().callCount("RegisterImage");
        uploads.send(event);
        DeadLetter dl = deadLetterOf(event);
        assertThat(dl.reasonCode()).isEqualTo(reason);
        List<StageStatus> statuses = uploads.awaitStatuses(event,
                s -> s.stream().filter(x -> x.state() == StageState.FAILED).count() == 2, WAIT);
        assertThat(statuses).filteredOn(s -> s.state() == StageState.FAILED)
                .allSatisfy(s -> assertThat(s.reason()).isNotBlank());
        assertThat(uploads.registered(event)).isEmpty();
        assertThat(aws.inspect().callCount("RegisterImage")).isEqualTo(registers);
        assertThat(aws.inspect().images(REGION)).noneMatch(i -> event.imageKey().equals(i.tags().get(AwsTags.IMAGE_KEY)));
        assertThat(aws.inspect().snapshots(REGION))
                .noneMatch(s -> event.imageKey().equals(s.tags().get(AwsTags.IMAGE_KEY)));
    }

    private static ImageSpec withUrl(ImageSpec i, String url) {
        return new ImageSpec(url, i.fileName(), i.name(), i.sha256(), i.sizeBytes(), i.arch(), i.release(),
                i.composeType(), i.variant(), i.subvariant(), i.respin());
    }

    private static ImageSpec with(ImageSpec i, String sha, long size) {
        return new ImageSpec(i.url(), i.fileName(), i.name(), sha, size, i.arch(), i.release(), i.composeType(),
                i.variant(), i.subvariant(), i.respin());
    }
}
