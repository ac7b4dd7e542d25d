package org.fedoraproject.fedimg.cli.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;

import org.fedoraproject.fedimg.messaging.EventJson;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tukaani.xz.XZInputStream;

import com.fasterxml.jackson.databind.JsonNode;

class LocalComposeTest {

    @Test
    void byteRanges() {
        assertThat(LocalCompose.byteRange(null, 100)).isNull();
        assertThat(LocalCompose.byteRange("bytes=10-19", 100)).containsExactly(10, 19);
        assertThat(LocalCompose.byteRange("bytes=90-", 100)).containsExactly(90, 99);
        assertThat(LocalCompose.byteRange("bytes=-5", 100)).containsExactly(95, 99);
        assertThat(LocalCompose.byteRange("bytes=50-500", 100)).containsExactly(50, 99);
        assertThat(LocalCompose.byteRange("bytes=200-", 100)).containsExactly(200, 99);
        assertThat(LocalCompose.byteRange("bytes=1-2,5-6", 100)).isNull();
        assertThat(LocalCompose.byteRange("lines=1-2", 100)).isNull();
    }

    @Test
    void servesProductmdMetadataMatchingTheImages(@TempDir Path dir) throws Exception {
        try (LocalCompose compose = LocalCompose.generate(dir, "43", 4).serve()) {
            HttpClient http = HttpClient.newHttpClient();
            JsonNode images = EventJson.MAPPER.readTree(http.send(HttpRequest.newBuilder(
                    URI.create(compose.location() + "/metadata/images.json")).build(),
                    HttpResponse.BodyHandlers.ofByteArray()).body());
            assertThat(images.at("/header/type").asText()).isEqualTo("productmd.images");
            for (String arch : LocalCompose.ARCHES) {
                JsonNode image = images.at("/payload/images/Cloud/" + arch + "/0");
                assertThat(image.get("type").asText()).isEqualTo("raw-xz");
                assertThat(image.get("subvariant").asText()).isEqualTo("Cloud_Base");
                assertThat(image.get("path").asText()).contains("AmazonEC2").endsWith("." + arch + ".raw.xz");
                byte[] body = http.send(HttpRequest.newBuilder(URI.create(compose.location() + "/"
                        + image.get("path").asText())).build(), HttpResponse.BodyHandlers.ofByteArray()).body();
                assertThat((long) body.length).isEqualTo(image.get("size").asLong());
                assertThat(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body)))
                        .isEqualTo(image.at("/checksums/sha256").asText());
                long raw = new XZInputStream(new java.io.ByteArrayInputStream(body)).transferTo(
                        java.io.OutputStream.nullOutputStream());
                assertThat(raw).isEqualTo(4L << 20);
                HttpResponse<byte[]> tail = http.send(HttpRequest.newBuilder(URI.create(compose.location() + "/"
                        + image.get("path").asText())).header("Range", "bytes=-100").build(),
                        HttpResponse.BodyHandlers.ofByteArray());
                assertThat(tail.statusCode()).isEqualTo(206);
                assertThat(tail.body()).isEqualTo(java.util.Arrays.copyOfRange(body, body.length - 100, body.length));
                assertThat(tail.headers().firstValue("Content-Range")).hasValue(
                        "bytes " + (body.length - 100) + "-" + (body.length - 1) + "/" + body.length);
            }
            assertThat(compose.finishedMessageBody()).containsEntry("status", "FINISHED")
                    .containsEntry("compose_id", compose.composeId()).containsEntry("location", compose.location());
        }
    }

    @Test
    void aBootableComposeListsTheGivenImagesWithTheirRealSizesAndChecksums(@TempDir Path dir) throws Exception {
        Path x86 = Files.write(dir.resolve("x86.raw.xz"), "not really xz, x86_64".getBytes());
        Path arm = Files.write(dir.resolve("arm.raw.xz"), "not really xz either, aarch64".getBytes());
        try (LocalCompose compose = LocalCompose.generateBootable(dir.resolve("run"), "43",
                new java.util.LinkedHashMap<>(java.util.Map.of("x86_64", x86, "aarch64", arm))).serve()) {
            JsonNode images = EventJson.MAPPER.readTree(HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create(compose.location() + "/metadata/images.json")).build(),
                    HttpResponse.BodyHandlers.ofByteArray()).body());
            for (Path source : List.of(x86, arm)) {
                String arch = source == x86 ? "x86_64" : "aarch64";
                JsonNode image = images.at("/payload/images/Cloud/" + arch + "/0");
                assertThat(image.get("size").asLong()).isEqualTo(Files.size(source));
                assertThat(image.at("/checksums/sha256").asText()).isEqualTo(HexFormat.of().formatHex(
                        MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(source))));
                assertThat(image.get("path").asText()).endsWith("." + arch + ".raw.xz");
            }
        }
    }
}
