package org.fedoraproject.fedimg.uploader.download;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicLong;

import org.fedoraproject.fedimg.errors.BadInputException;
import org.fedoraproject.fedimg.sources.TrustedHttp;
import org.fedoraproject.fedimg.sources.TrustedSources;
import org.fedoraproject.fedimg.events.DeadLetterReason;
import org.fedoraproject.fedimg.uploader.support.ImageServer;
import org.fedoraproject.fedimg.uploader.support.TestImages;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class VerifiedDownloadTest {

    private static final byte[] FILE = TestImages.raw(3 * 1024 * 1024 + 17, 7);
    private static final String SHA = TestImages.sha256(FILE);
    private static final TrustedHttp HTTP = new TrustedHttp(TrustedHttp.client()
            .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build(),
            TrustedSources.of("http://127.0.0.1:*/"));
    private static final VerifiedDownload.Settings SETTINGS = new VerifiedDownload.Settings(Duration.ofSeconds(2), 3,
            Duration.ofMillis(50));
    private static ImageServer server;
    private static ScheduledExecutorService watchdogs;

    @BeforeAll
    static void start() throws IOException {
        server = new ImageServer();
        watchdogs = Executors.newSingleThreadScheduledExecutor();
    }

    @AfterAll
    static void stop() {
        server.close();
        watchdogs.shutdownNow();
    }

    @Test
    void streamsAndVerifies() throws IOException {
        server.serve("/ok.raw.xz", FILE);
        AtomicLong counted = new AtomicLong();
        try (VerifiedDownload d = download("/ok.raw.xz", FILE.length, SHA, counted)) {
            assertThat(d.readAllBytes()).isEqualTo(FILE);
            assertThat(d.verified()).isTrue();
        }
        assertThat(counted).hasValue(FILE.length);
    }

    @Test
    void followsRedirects() throws IOException {
        server.serve("/real.raw.xz", FILE).redirect("/moved.raw.xz", server.url("/real.raw.xz"));
        try (VerifiedDownload d = download("/moved.raw.xz", FILE.length, SHA, new AtomicLong())) {
            assertThat(d.readAllBytes()).isEqualTo(FILE);
        }
    }

    @Test
    void resumesWithRangeAfterABrokenConnection() throws IOException {
        server.serve("/flaky.raw.xz", FILE).breakMidBody("/flaky.raw.xz", 2);
        try (VerifiedDownload d = download("/flaky.raw.xz", FILE.length, SHA, new AtomicLong())) {
            assertThat(d.readAllBytes()).isEqualTo(FILE);
            assertThat(d.resumes()).isEqualTo(2);
        }
        assertThat(server.requests()).filteredOn(r -> r.startsWith("GET /flaky.raw.xz"))
                .hasSize(3)
                .last().satisfies(r -> assertThat(r).matches("GET /flaky.raw.xz bytes=\\d+-"));
    }

    @Test
    void resumesWhenTheServerIgnoresRange() throws IOException {
        ImageServer other = new ImageServer();
        try (other) {
            other.serve("/x", FILE).breakMidBody("/x", 1).ignoreRange(true);
            try (VerifiedDownload d = new VerifiedDownload(HTTP, URI.create(other.url("/x")), FILE.length, SHA, SETTINGS,
                    watchdogs, n -> {
                    })) {
                assertThat(d.readAllBytes()).isEqualTo(FILE);
            }
        }
    }

    @Test
    void givesUpAfterTooManyBrokenConnections() {
        server.serve("/dead.raw.xz", FILE).breakMidBody("/dead.raw.xz", 10);
        assertThatThrownBy(() -> {
            try (VerifiedDownload d = download("/dead.raw.xz", FILE.length, SHA, new AtomicLong())) {
                d.readAllBytes();
            }
        }).isInstanceOf(DownloadFailedException.class);
    }

    @Test
    void missingImageIsImageNotFound() {
        assertThatThrownBy(() -> download("/nope.raw.xz", FILE.length, SHA, new AtomicLong()).read())
                .isInstanceOfSatisfying(BadInputException.class,
                        e -> assertThat(e.reason()).isEqualTo(DeadLetterReason.IMAGE_NOT_FOUND));
    }

    @Test
    void wrongChecksumIsDetectedAtTheEnd() {
        server.serve("/tampered.raw.xz", FILE);
        String wrong = SHA.substring(1) + (SHA.charAt(0) == 'a' ? 'b' : 'a');
        assertThatThrownBy(() -> {
            try (VerifiedDownload d = download("/tampered.raw.xz", FILE.length, wrong, new AtomicLong())) {
                d.verifyToEnd();
            }
        }).isInstanceOfSatisfying(BadInputException.class,
                e -> assertThat(e.reason()).isEqualTo(DeadLetterReason.CHECKSUM_MISMATCH));
    }

    @Test
    void wrongSizeIsDetectedBeforeTheBody() {
        server.serve("/sized.raw.xz", FILE);
        assertThatThrownBy(() -> download("/sized.raw.xz", FILE.length + 1, SHA, new AtomicLong()).read())
                .isInstanceOfSatisfying(BadInputException.class,
                        e -> assertThat(e.reason()).isEqualTo(DeadLetterReason.SIZE_MISMATCH));
    }

    @Test
    void stalledBodyIsCutAndResumed() throws IOException {
        server.serve("/stall.raw.xz", FILE).stallMidBody("/stall.raw.xz", 1, Duration.ofSeconds(20));
        long t0 = System.nanoTime();
        try (VerifiedDownload d = download("/stall.raw.xz", FILE.length, SHA, new AtomicLong())) {
            assertThat(d.readAllBytes()).isEqualTo(FILE);
            assertThat(d.resumes()).isEqualTo(1);
        }
        // cut by the 2 s stall watchdog, long before the server would have given up
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(15));
    }

    private VerifiedDownload download(String path, long size, String sha, AtomicLong counted) {
        return new VerifiedDownload(HTTP, URI.create(server.url(path)), size, sha, SETTINGS, watchdogs,
                counted::addAndGet);
    }
}
