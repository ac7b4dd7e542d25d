package org.fedoraproject.fedimg.uploader.download;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;

import org.fedoraproject.fedimg.errors.BadInputException;
import org.fedoraproject.fedimg.sources.TrustedHttp;
import org.fedoraproject.fedimg.sources.TrustedSources;
import org.fedoraproject.fedimg.events.DeadLetterReason;
import org.fedoraproject.fedimg.uploader.support.ImageServer;
import org.fedoraproject.fedimg.uploader.support.TestImages;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ImageTailTest {

    private static final byte[] RAW = TestImages.raw(2 * 1024 * 1024 + 99, 3);
    private static final byte[] XZ = TestImages.xzMultiBlock(RAW, 256 * 1024);
    private static final TrustedHttp HTTP = new TrustedHttp(TrustedHttp.client()
            .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build(),
            TrustedSources.of("http://127.0.0.1:*/"));
    private static ImageServer server;
    private final ImageTail tail = new ImageTail(HTTP, Duration.ofSeconds(20));

    @BeforeAll
    static void start() throws IOException {
        server = new ImageServer();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @AfterEach
    void rangesAgain() {
        server.ignoreRange(false);
    }

    @Test
    void readsTheSizeWithTwoRangeRequests() {
        server.serve("/tail/Fedora.raw.xz", XZ).redirect("/tail/moved.raw.xz", server.url("/tail/Fedora.raw.xz"));
        int before = server.requests().size();
        assertThat(tail.uncompressedSize(URI.create(server.url("/tail/moved.raw.xz")), XZ.length)).hasValue(RAW.length);
        assertThat(server.requests().subList(before, server.requests().size()))
                .filteredOn(r -> r.startsWith("GET /tail/Fedora.raw.xz"))
                .containsExactly("GET /tail/Fedora.raw.xz bytes=" + (XZ.length - ImageTail.WINDOW) + "-" + (XZ.length - 1),
                        "GET /tail/Fedora.raw.xz bytes=0-11");
    }

    @Test
    void noAnswerWithoutRangeSupportOrFile() {
        server.serve("/tail/norange.raw.xz", XZ).ignoreRange(true);
        assertThat(tail.uncompressedSize(URI.create(server.url("/tail/norange.raw.xz")), XZ.length)).isEmpty();
        server.ignoreRange(false);
        server.serve("/tail/raw.img", RAW);
        assertThat(tail.uncompressedSize(URI.create(server.url("/tail/raw.img")), RAW.length)).isEmpty();
    }

    @Test
    void aMissingImageIsImageNotFound() {
        assertThatThrownBy(() -> tail.uncompressedSize(URI.create(server.url("/tail/missing.raw.xz")), XZ.length))
                .isInstanceOfSatisfying(BadInputException.class,
                        e -> assertThat(e.reason()).isEqualTo(DeadLetterReason.IMAGE_NOT_FOUND));
    }

    @Test
    void aWrongSizeInTheMetadataGivesNoAnswer() {
        server.serve("/tail/short.raw.xz", XZ);
        assertThat(tail.uncompressedSize(URI.create(server.url("/tail/short.raw.xz")), XZ.length + 100)).isEmpty();
    }
}
