package org.fedoraproject.fedimg.sources;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ForkJoinPool;

import org.fedoraproject.fedimg.errors.BadInputException;
import org.fedoraproject.fedimg.events.DeadLetterReason;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpServer;

/** Redirects are followed only within the allow-list; a hop outside is never contacted. */
class TrustedHttpTest {

    HttpServer trusted;
    HttpServer outside;
    final List<String> outsideHits = new CopyOnWriteArrayList<>();

    @BeforeEach
    void servers() throws Exception {
        outside = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        outside.createContext("/", x -> {
            outsideHits.add(x.getRequestURI().toString());
            x.sendResponseHeaders(200, -1);
            x.close();
        });
        outside.start();
        trusted = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        trusted.createContext("/", x -> {
            String path = x.getRequestURI().getPath();
            switch (path) {
                case "/pub/ok" -> {
                    byte[] body = "fine".getBytes(StandardCharsets.UTF_8);
                    x.sendResponseHeaders(200, body.length);
                    x.getResponseBody().write(body);
                }
                case "/pub/inside" -> redirect(x, "/pub/ok");
                case "/pub/loop" -> redirect(x, "/pub/loop");
                case "/pub/away" -> redirect(x, "http://127.0.0.1:" + outside.getAddress().getPort() + "/pub/stolen");
                case "/pub/metadata" -> redirect(x, "http://169.254.169.254/latest/meta-data/");
                case "/pub/file" -> redirect(x, "file:///etc/passwd");
                default -> x.sendResponseHeaders(404, -1);
            }
            x.close();
        });
        trusted.start();
    }

    private static void redirect(com.sun.net.httpserver.HttpExchange x, String to) throws java.io.IOException {
        x.getResponseHeaders().add("Location", to);
        x.sendResponseHeaders(302, -1);
    }

    @AfterEach
    void stop() {
        trusted.stop(0);
        outside.stop(0);
    }

    TrustedHttp http() {
        // the trusted server's own port only: the "outside" one is loopback too, but not listed
        return new TrustedHttp(TrustedHttp.client().build(),
                TrustedSources.of("http://127.0.0.1:" + trusted.getAddress().getPort() + "/pub/"));
    }

    URI at(String path) {
        return URI.create("http://127.0.0.1:" + trusted.getAddress().getPort() + path);
    }

    @Test
    void followsRedirectsWithinTheList() throws Exception {
        HttpResponse<String> r = http().send(HttpRequest.newBuilder(at("/pub/inside")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("fine");
        assertThat(r.uri()).isEqualTo(at("/pub/ok"));
    }

    @Test
    void aRedirectLeavingTheListIsRefusedAndNeverFetched() {
        for (String path : List.of("/pub/away", "/pub/metadata", "/pub/file")) {
            assertThatThrownBy(() -> http().send(HttpRequest.newBuilder(at(path)).build(),
                    HttpResponse.BodyHandlers.ofString())).as(path)
                    .isInstanceOfSatisfying(BadInputException.class,
                            e -> assertThat(e.reason()).isEqualTo(DeadLetterReason.UNTRUSTED_SOURCE));
        }
        assertThat(outsideHits).isEmpty();
    }

    @Test
    void aRedirectLoopEndsAtTheLimit() {
        assertThatThrownBy(() -> http().send(HttpRequest.newBuilder(at("/pub/loop")).build(),
                HttpResponse.BodyHandlers.ofString())).isInstanceOfSatisfying(BadInputException.class,
                        e -> assertThat(e.getMessage()).contains("more than 5 redirects"));
    }

    @Test
    void theAsyncPathChecksTheSame() throws Exception {
        TrustedHttp http = http();
        assertThat(http.sendAsync(HttpRequest.newBuilder(at("/pub/inside")).build(),
                HttpResponse.BodyHandlers.ofString(), ForkJoinPool.commonPool()).get().body()).isEqualTo("fine");
        assertThatThrownBy(() -> http.sendAsync(HttpRequest.newBuilder(at("/pub/away")).build(),
                HttpResponse.BodyHandlers.ofString(), ForkJoinPool.commonPool()).join())
                .isInstanceOf(CompletionException.class).hasCauseInstanceOf(BadInputException.class);
        assertThatThrownBy(() -> http.sendAsync(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + outside.getAddress().getPort() + "/pub/x")).build(),
                HttpResponse.BodyHandlers.ofString(), ForkJoinPool.commonPool()).join())
                .hasCauseInstanceOf(BadInputException.class);
        assertThat(outsideHits).isEmpty();
    }

    @Test
    void aClientThatFollowsRedirectsItselfIsRefused() {
        assertThatThrownBy(() -> new TrustedHttp(java.net.http.HttpClient.newBuilder()
                .followRedirects(java.net.http.HttpClient.Redirect.NORMAL).build(), TrustedSources.of("a.example")))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
