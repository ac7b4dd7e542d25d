package org.fedoraproject.fedimg.cli.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real compose instead of the generated one: on disk (served by local mode) or at a URL. */
class ComposeSourceTest {

    private static final String RPMS = """
            {"header": {"type": "productmd.rpms", "version": "1.2"}, "payload": {"rpms": {"Everything": {"x86_64": {
              "fedora-release-0:44-0.5.src": {
                "fedora-release-common-0:44-0.5.noarch": {"category": "binary", "path": "Everything/x86_64/os/Packages/f/fedora-release-common-44-0.5.noarch.rpm"}
              }}}}}}
            """;

    @Test
    void releaseFromComposeinfoElseFromTheComposeId() throws Exception {
        Path fixtures = Path.of(System.getProperty("fedimg.shared.dir", "../../shared"), "fixtures/compose");
        Assumptions.assumeTrue(Files.isDirectory(fixtures), "skipped: shared fixtures not found at " + fixtures);
        byte[] images = Files.readAllBytes(fixtures.resolve("images-Fedora-28-20180425.0.json"));
        ComposeMetadata f28 = ComposeMetadata.parse(images,
                Files.readAllBytes(fixtures.resolve("composeinfo-Fedora-28-20180425.0.json")));
        assertThat(f28).isEqualTo(new ComposeMetadata("Fedora-28-20180425.0", "20180425", "production", 0, "Fedora", "28"));
        assertThat(ComposeMetadata.parse(images, null)).isEqualTo(f28);

        ComposeMetadata rawhide = ComposeMetadata.parse("""
                {"header": {"type": "productmd.images", "version": "1.2"}, "payload": {"compose":
                 {"date": "20180426", "id": "Fedora-Rawhide-20180426.n.0", "respin": 0, "type": "nightly"}, "images": {}}}
                """.getBytes(StandardCharsets.UTF_8), null);
        assertThat(rawhide.release()).isEqualTo("Rawhide");
        assertThat(rawhide.releaseIsNumeric()).isFalse();
        assertThat(rawhide.finishedMessageBody("http://x/compose")).containsEntry("compose_type", "nightly")
                .containsEntry("release_version", "Rawhide").containsEntry("release_short", "Fedora")
                .containsEntry("location", "http://x/compose").containsEntry("status", "FINISHED");
        assertThatThrownBy(() -> ComposeMetadata.parse("{\"payload\": {}}".getBytes(StandardCharsets.UTF_8), null))
                .hasMessageContaining("payload.compose.id");
    }

    @Test
    void aComposeDirectoryIsServedAloneAndReadAtAUrl(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("private.txt"), "not the compose's");
        try (LocalCompose generated = LocalCompose.generate(dir, "Rawhide", 1).serve()) {
            // local mode's own directory: tests serve more files beside the compose
            assertThat(status(generated.location().replace("/compose", "/private.txt"))).isEqualTo(200);
        }
        Files.writeString(dir.resolve("compose/metadata/rpms.json"), RPMS);
        assertThat(LocalCompose.open(dir.resolve("compose")).metadata()).isEqualTo(LocalCompose.open(dir).metadata());
        assertThatThrownBy(() -> LocalCompose.open(dir.resolve("compose/metadata"))).hasMessageContaining("is no compose");

        try (LocalCompose served = LocalCompose.open(dir).serve()) {
            assertThat(served.composeId()).startsWith("Fedora-Cloud-Rawhide-");
            assertThat(served.images()).extracting(LocalCompose.Image::arch).containsExactlyInAnyOrder("x86_64", "aarch64");
            assertThat(served.fetchedFrom()).containsExactly(served.location() + "/");
            String root = served.location().substring(0, served.location().length() - "/compose".length());
            assertThat(status(served.location() + "/metadata/images.json")).isEqualTo(200);
            assertThat(status(root + "/private.txt")).isEqualTo(404);
            assertThat(status(served.location() + "/../private.txt")).isEqualTo(404);

            for (String url : new String[] {root, served.location() + "/"}) {
                try (RemoteCompose remote = RemoteCompose.open(url)) {
                    assertThat(remote.location()).isEqualTo(served.location());
                    assertThat(remote.metadata()).isEqualTo(served.metadata());
                    assertThat(RawhideRelease.resolve(null, Map.of(), remote).number()).contains(44);
                }
            }
            assertThatThrownBy(() -> RemoteCompose.open(root + "/nothing")).hasMessageContaining("is no compose");
            assertThatThrownBy(() -> RemoteCompose.open("file:///etc")).hasMessageContaining("http(s) URL");
        }
    }

    @Test
    void rawhidesNumberFromTheOptionTheConfigOrTheComposesFedoraRelease(@TempDir Path dir) throws Exception {
        try (LocalCompose compose = LocalCompose.generate(dir, "Rawhide", 1)) {
            assertThat(RawhideRelease.resolve(null, Map.of(), compose))
                    .isEqualTo(new RawhideRelease(Optional.empty(), "the compose has no metadata/rpms.json"));
            Files.writeString(dir.resolve("compose/metadata/rpms.json"), RPMS);
            assertThat(RawhideRelease.resolve(null, Map.of(), compose).number()).contains(44);
            assertThat(RawhideRelease.resolve(null, Map.of(RawhideRelease.CONFIG_KEY, "45"), compose).number()).contains(45);
            assertThat(RawhideRelease.resolve(46, Map.of(RawhideRelease.CONFIG_KEY, "45"), compose).number()).contains(46);
        }
    }

    @Test
    void fedoraReleaseIsFoundAcrossReadsAndOnlyWithinTheBound() throws Exception {
        String padding = " ".repeat((1 << 16) - 10);
        byte[] json = (padding + RPMS).getBytes(StandardCharsets.UTF_8);
        assertThat(RawhideRelease.fromRpmsJson(new ByteArrayInputStream(json), 1 << 20)).hasValue(44);
        assertThat(RawhideRelease.fromRpmsJson(new ByteArrayInputStream(json), 1 << 10)).isEmpty();
        assertThat(RawhideRelease.fromRpmsJson(new ByteArrayInputStream(
                "{\"fedora-release-common-0:44-0.5.noarch\": {}}".getBytes(StandardCharsets.UTF_8)), 1 << 20)).isEmpty();
    }

    private static int status(String url) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}
