package org.fedoraproject.fedimg.bridge.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpServer;

/** The CLI's requests and exit codes, against a recording HTTP server. */
class TriggerCliTest {

    HttpServer server;
    final List<String> requests = new ArrayList<>();
    int status = 202;

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", ex -> {
            requests.add(ex.getRequestMethod() + " " + ex.getRequestURI() + " "
                    + ex.getRequestHeaders().getFirst("Authorization") + " "
                    + new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            byte[] body = "{\"outcome\":\"EMITTED\"}".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(status, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    int run(Map<String, String> env, String... args) {
        return TriggerCli.run(args, env, new PrintStream(new ByteArrayOutputStream()),
                new PrintStream(new ByteArrayOutputStream()));
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @Test
    void buildsTheRequests() {
        assertThat(run(Map.of("FEDIMG_BRIDGE_URL", url(), "FEDIMG_TRIGGER_TOKEN", "t0k"), "compose",
                "Fedora-41-20241027.0")).isZero();
        assertThat(run(Map.of(), "--bridge", url() + "/", "compose",
                "https://kojipkgs.fedoraproject.org/compose/41/Fedora-41-20241027.0/compose", "--force", "--respin", "3"))
                .isZero();
        assertThat(run(Map.of(), "--bridge", url(), "image", "https://example.org/a \"b\".raw.xz", "--sha256",
                "ab".repeat(32), "--size", "42", "--compose-id", "Fedora-41-20241027.0", "--arch", "x86_64")).isZero();
        assertThat(requests).containsExactly(
                "POST /api/v1/trigger/compose Bearer t0k {\"composeId\":\"Fedora-41-20241027.0\"}",
                "POST /api/v1/trigger/compose null {\"force\":true,\"respin\":3,\"location\":"
                        + "\"https://kojipkgs.fedoraproject.org/compose/41/Fedora-41-20241027.0/compose\"}",
                "POST /api/v1/trigger/image null {\"sha256\":\"" + "ab".repeat(32) + "\",\"sizeBytes\":42,"
                        + "\"composeId\":\"Fedora-41-20241027.0\",\"arch\":\"x86_64\","
                        + "\"url\":\"https://example.org/a \\\"b\\\".raw.xz\"}");
    }

    @Test
    void exitCodes() {
        status = 409;
        assertThat(run(Map.of(), "--bridge", url(), "compose", "x")).isEqualTo(1);
        status = 404;
        assertThat(run(Map.of(), "--bridge", url(), "compose", "x")).isEqualTo(3);
        status = 503;
        assertThat(run(Map.of(), "--bridge", url(), "compose", "x")).isEqualTo(4);
        assertThat(run(Map.of(), "--bridge", url(), "frobnicate", "x")).isEqualTo(2);
        assertThat(run(Map.of(), "--bridge", url(), "compose")).isEqualTo(2);
        assertThat(run(Map.of(), "--bridge", url(), "compose", "x", "--respin")).isEqualTo(2);
        assertThat(run(Map.of(), "--help")).isZero();
        assertThat(requests).hasSize(3);
    }
}
