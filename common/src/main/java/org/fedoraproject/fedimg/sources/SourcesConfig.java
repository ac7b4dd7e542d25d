package org.fedoraproject.fedimg.sources;

import java.net.ProxySelector;
import java.net.http.HttpClient;
import java.util.List;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * {@code fedimg.sources.*}: where compose metadata and images may be fetched from, shared by the bridge and the
 * uploader ({@link TrustedSources}; docs/security.md, "Compose hosts").
 */
@ConfigMapping(prefix = "fedimg.sources")
public interface SourcesConfig {

    /**
     * The allow-list: URL prefixes ({@code https://host[:port]/path/}, port {@code *} for any port) or bare
     * host names (meaning {@code https://host/}). Production: Fedora's compose hosts, https only.
     */
    @WithDefault(TrustedSources.FEDORA_DEFAULT)
    List<String> allowed();

    /**
     * Host names of the allow-list that may resolve to loopback, link-local or private addresses (an internal
     * mirror). An entry whose host is an IP literal or {@code localhost} is explicit by itself.
     */
    Optional<List<String>> privateHosts();

    /** Redirects followed per request, each hop checked against the allow-list. */
    @WithDefault("5")
    int maxRedirects();

    /**
     * {@code host:port} of an HTTP proxy that every compose and image fetch goes through, loopback included: a
     * site's egress proxy, or a recording one in the hostile-input suite. The allow-list is checked here before
     * each request and each redirect either way.
     */
    Optional<String> proxy();

    /** A client builder for {@link TrustedHttp}: no redirects of its own, through {@link #proxy()} when set. */
    default HttpClient.Builder client() {
        HttpClient.Builder b = TrustedHttp.client();
        proxy().ifPresent(hostPort -> b.proxy(ProxySelector.of(TrustedHttp.proxyAddress(hostPort))));
        return b;
    }

    /** The policy these settings describe. */
    default TrustedSources policy() {
        return new TrustedSources(allowed(), privateHosts().orElse(List.of()), maxRedirects());
    }
}
