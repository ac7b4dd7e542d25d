package org.fedoraproject.fedimg.sources;

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

    /** The policy these settings describe. */
    default TrustedSources policy() {
        return new TrustedSources(allowed(), privateHosts().orElse(List.of()), maxRedirects());
    }
}
