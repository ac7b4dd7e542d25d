package org.fedoraproject.fedimg.emulator.vm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

/** The instance metadata service as EC2 serves it, IMDSv2 tokens included. */
class MetadataServiceTest {

    private final HttpClient http = HttpClient.newHttpClient();

    private static MetadataService.Data data(boolean tokensRequired) {
        return new MetadataService.Data("i-0123456789abcdef0", "t3.small", "ami-0123456789abcdef0", "172.31.0.10",
                "127.100.0.2", "ip-172-31-0-10.ec2.internal", "us-east-1a", "fedimg-test", "ssh-ed25519 AAAA test",
                "#!/bin/bash\necho hi\n".getBytes(StandardCharsets.UTF_8), tokensRequired);
    }

    @Test
    void anImdsV2OnlyInstanceRefusesRequestsWithoutAToken() throws Exception {
        try (MetadataService imds = new MetadataService(data(true))) {
            URI base = URI.create("http://127.0.0.1:" + imds.port());
            assertEquals(401, get(base.resolve("/latest/meta-data/instance-id"), null).statusCode());
            assertEquals(401, get(base.resolve("/latest/user-data"), "not-a-token").statusCode());
            // a token needs its TTL header, as on EC2
            assertEquals(400, http.send(HttpRequest.newBuilder(base.resolve("/latest/api/token"))
                    .PUT(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString())
                    .statusCode());
            String token = token(base);
            HttpResponse<String> id = get(base.resolve("/latest/meta-data/instance-id"), token);
            assertEquals(200, id.statusCode());
            assertEquals("i-0123456789abcdef0", id.body());
            assertEquals("#!/bin/bash\necho hi\n", get(base.resolve("/latest/user-data"), token).body());
            assertEquals("ssh-ed25519 AAAA test", get(base.resolve("/latest/meta-data/public-keys/0/openssh-key"),
                    token).body());
            assertEquals("172.31.0.10", get(base.resolve("/latest/meta-data/local-ipv4"), token).body());
            assertEquals("t3.small", get(base.resolve("/latest/meta-data/instance-type"), token).body());
        }
    }

    @Test
    void anInstanceThatAllowsImdsV1AnswersWithoutAToken() throws Exception {
        try (MetadataService imds = new MetadataService(data(false))) {
            URI base = URI.create("http://127.0.0.1:" + imds.port());
            assertEquals(false, imds.asked());
            assertEquals("i-0123456789abcdef0", get(base.resolve("/latest/meta-data/instance-id"), null).body());
            assertEquals(404, get(base.resolve("/latest/meta-data/nothing-here"), null).statusCode());
            assertEquals(true, imds.asked());
        }
    }

    private String token(URI base) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve("/latest/api/token"))
                .header("X-aws-ec2-metadata-token-ttl-seconds", "21600").PUT(HttpRequest.BodyPublishers.noBody())
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        return r.body();
    }

    private HttpResponse<String> get(URI uri, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).GET();
        if (token != null) {
            b.header("X-aws-ec2-metadata-token", token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
