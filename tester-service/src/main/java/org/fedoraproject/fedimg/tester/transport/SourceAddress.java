package org.fedoraproject.fedimg.tester.transport;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;

import org.fedoraproject.fedimg.tester.config.TesterConfig;

import io.smallrye.mutiny.Uni;

/**
 * The tester's own address as the ssh rule's only source: {@code fedimg.tester.ssh.source-cidr} when
 * set (a NAT gateway's address, or the tester's private address when it runs in the VPC), otherwise the
 * public address an echo service sees, as a /32 (IPv4) or /128 (IPv6). Asked once per process.
 */
@ApplicationScoped
public class SourceAddress {

    private final TesterConfig config;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private volatile Uni<String> cached;

    SourceAddress(TesterConfig config) {
        this.config = config;
    }

    public Uni<String> cidr() {
        if (config.ssh().sourceCidr().isPresent()) {
            return Uni.createFrom().item(config.ssh().sourceCidr().get());
        }
        Uni<String> c = cached;
        if (c == null) {
            c = discover(http, config.ssh().sourceAddressUrl()).memoize().indefinitely();
            cached = c;
        }
        return c.onFailure().invoke(() -> cached = null);
    }

    /** Asks a check-ip style service (plain text: the caller's address) and returns that address as a CIDR. */
    static Uni<String> discover(HttpClient http, String url) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build();
        return Uni.createFrom().completionStage(() -> http.sendAsync(request, HttpResponse.BodyHandlers.ofString()))
                .map(r -> {
                    if (r.statusCode() != 200) {
                        throw new IllegalStateException(url + " answered " + r.statusCode());
                    }
                    return toCidr(r.body().trim());
                });
    }

    static String toCidr(String address) {
        if (!address.matches("[0-9a-fA-F.:]+")) {
            throw new IllegalStateException("not an IP address: " + address);
        }
        try {
            InetAddress parsed = InetAddress.getByName(address);
            return parsed.getHostAddress() + (parsed.getAddress().length == 4 ? "/32" : "/128");
        } catch (UnknownHostException e) {
            throw new IllegalStateException("not an IP address: " + address, e);
        }
    }
}
