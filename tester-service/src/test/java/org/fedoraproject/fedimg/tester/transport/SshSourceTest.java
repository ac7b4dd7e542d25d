package org.fedoraproject.fedimg.tester.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.fedoraproject.fedimg.tester.aws.SshAccess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpServer;

import software.amazon.awssdk.services.ec2.model.IpPermission;

/** The one source of the ssh rule: learnt from a check-ip service on a local HTTP server, and put in the rule. */
class SshSourceTest {

    private HttpServer server;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        answer("/v4", 200, "198.51.100.23\n");
        answer("/v6", 200, "2001:db8::7\n");
        answer("/down", 503, "Service Unavailable");
        answer("/portal", 200, "<html>please log in</html>");
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void theAddressSeenFromOutsideBecomesASingleHostCidr() {
        assertThat(discover("/v4")).isEqualTo("198.51.100.23/32");
        assertThat(discover("/v6")).isEqualTo("2001:db8:0:0:0:0:0:7/128");
    }

    @Test
    void anErrorOrSomethingThatIsNotAnAddressIsNoSource() {
        assertThatThrownBy(() -> discover("/down")).hasMessageEndingWith("/down answered 503");
        assertThatThrownBy(() -> discover("/portal")).hasMessageStartingWith("not an IP address");
    }

    @Test
    void theRuleOpensTheSshPortToThatSourceOnlyInTheListEc2ExpectsForItsFamily() {
        IpPermission v4 = SshAccess.sshRule(22, "198.51.100.23/32");
        assertThat(v4.ipProtocol()).isEqualTo("tcp");
        assertThat(v4.fromPort()).isEqualTo(22);
        assertThat(v4.toPort()).isEqualTo(22);
        assertThat(v4.ipRanges()).singleElement().satisfies(r -> assertThat(r.cidrIp()).isEqualTo("198.51.100.23/32"));
        assertThat(v4.ipv6Ranges()).isEmpty();
        IpPermission v6 = SshAccess.sshRule(22, "2001:db8:0:0:0:0:0:7/128");
        assertThat(v6.ipRanges()).isEmpty();
        assertThat(v6.ipv6Ranges()).singleElement()
                .satisfies(r -> assertThat(r.cidrIpv6()).isEqualTo("2001:db8:0:0:0:0:0:7/128"));
    }

    private String discover(String path) {
        return SourceAddress.discover(http, "http://127.0.0.1:" + server.getAddress().getPort() + path).await()
                .atMost(Duration.ofSeconds(10));
    }

    private void answer(String path, int status, String body) {
        server.createContext(path, exchange -> {
            byte[] bytes = body.getBytes(StandardCharsets.US_ASCII);
            exchange.sendResponseHeaders(status, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
    }
}
