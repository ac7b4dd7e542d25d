package org.fedoraproject.fedimg.sources;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;

import org.fedoraproject.fedimg.errors.BadInputException;
import org.fedoraproject.fedimg.events.DeadLetterReason;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class TrustedSourcesTest {

    static final TrustedSources FEDORA = new SourcesDefaults().policy();

    @Test
    void fedorasComposeHostsOverHttpsAreTrusted() {
        assertThat(FEDORA.check("https://kojipkgs.fedoraproject.org/compose/41/Fedora-41-20241020.0/compose"))
                .hasHost("kojipkgs.fedoraproject.org");
        assertThat(FEDORA.check("https://KOJIPKGS.fedoraproject.org:443/compose/x/images.json")).isNotNull();
        assertThat(FEDORA.check("https://dl.fedoraproject.org/pub/fedora/linux/releases/41/Cloud/x.raw.xz"))
                .isNotNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "http://kojipkgs.fedoraproject.org/compose/41/x", // plain http
            "https://kojipkgs.fedoraproject.org:8443/compose/41/x", // another port
            "https://kojipkgs.fedoraproject.org/composeX/41/x", // not on a segment boundary
            "https://kojipkgs.fedoraproject.org/compose/../etc/passwd",
            "https://kojipkgs.fedoraproject.org/compose/%2e%2e/secret",
            "https://kojipkgs.fedoraproject.org/compose/..%2fsecret",
            "https://kojipkgs.fedoraproject.org.evil.example/compose/41/x",
            "https://evil.example/compose/41/x",
            "https://user@kojipkgs.fedoraproject.org/compose/41/x",
            "https://kojipkgs.fedoraproject.org@evil.example/compose/41/x",
            "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
            "http://127.0.0.1:8080/compose/",
            "http://10.0.0.1/compose/",
            "file:///etc/passwd",
            "ftp://kojipkgs.fedoraproject.org/compose/41/x",
            "jar:https://kojipkgs.fedoraproject.org/compose/x.jar!/a",
            "gopher://kojipkgs.fedoraproject.org/compose/",
            "/compose/41/x",
            "not a url at all",
            ""
    })
    void everythingElseIsAnUntrustedSource(String url) {
        assertThatThrownBy(() -> FEDORA.check(url)).isInstanceOfSatisfying(BadInputException.class,
                e -> {
                    assertThat(e.reason()).isEqualTo(DeadLetterReason.UNTRUSTED_SOURCE);
                    assertThat(e.getMessage()).contains("untrusted source");
                });
    }

    @Test
    void plainHttpOnAHostTrustedOverHttpsIsUpgradedNeverFetchedAsIs() {
        // Fedora's 2018 compose messages name kojipkgs over http
        assertThat(FEDORA.upgraded("http://kojipkgs.fedoraproject.org/compose/28/x/compose"))
                .isEqualTo("https://kojipkgs.fedoraproject.org/compose/28/x/compose");
        assertThat(FEDORA.upgraded("http://evil.example/compose/")).isEqualTo("http://evil.example/compose/");
        assertThat(TrustedSources.of("http://127.0.0.1:*/").upgraded("http://127.0.0.1:8/x"))
                .isEqualTo("http://127.0.0.1:8/x");
        assertThat(FEDORA.upgraded("file:///etc")).isEqualTo("file:///etc");
    }

    @Test
    void anyPortEntriesAndBareHosts() {
        TrustedSources s = TrustedSources.of("http://127.0.0.1:*/", "mirror.example.org");
        assertThat(s.check("http://127.0.0.1:34567/compose/x")).isNotNull();
        assertThat(s.check("https://mirror.example.org/anything")).isNotNull();
        assertThatThrownBy(() -> s.check("http://mirror.example.org/anything")).isInstanceOf(BadInputException.class);
        assertThatThrownBy(() -> s.check("http://127.0.0.2:34567/")).isInstanceOf(BadInputException.class);
    }

    @Test
    void aListedLoopbackAddressIsExplicitAndAnUnresolvableHostIsSaidSo() throws Exception {
        TrustedSources s = TrustedSources.of("http://127.0.0.1:*/", "https://nowhere.invalid:*/");
        URI literal = s.check("http://127.0.0.1:8080/x");
        assertThat(s.checkResolved(literal)).isEqualTo(literal);
        assertThatThrownBy(() -> s.checkResolved(s.check("https://nowhere.invalid:1/")))
                .isInstanceOf(UnknownHostException.class).hasMessage("host nowhere.invalid does not resolve");
    }

    @Test
    void aPlainHttpEntryNamingADnsHostIsRefusedAsRebindable() {
        // nothing ties a plain-http connection to the address checked before it: a rebinding DNS answer would win
        for (String entry : List.of("http://mirror.example.org/pub/", "http://kojipkgs.fedoraproject.org:*/",
                "http://compose.invalid/")) {
            assertThatThrownBy(() -> TrustedSources.of(entry)).as(entry).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("rebinding").hasMessageContaining("private-hosts");
        }
        // https (the certificate names the host), addresses and localhost (no DNS answer to change)
        assertThat(TrustedSources.of("https://mirror.example.org/pub/", "mirror.example.org", "http://127.0.0.1:*/",
                "http://[::1]:8080/", "http://localhost:*/", "http://10.0.0.5/mirror/").allowed()).hasSize(6);
        // a name whose DNS the operator vouches for (an internal mirror)
        TrustedSources vouched = new TrustedSources(List.of("http://mirror.internal.test/"),
                List.of("mirror.internal.test"), 5);
        assertThat(vouched.check("http://mirror.internal.test/compose/")).isNotNull();
    }

    @Test
    void privateHostsMayResolveInternally() throws Exception {
        // "localhost" is explicit by itself; any other name needs private-hosts
        TrustedSources refused = TrustedSources.of("http://localhost:*/");
        assertThat(refused.checkResolved(URI.create("http://localhost:1/"))).isNotNull();
        TrustedSources byName = new TrustedSources(List.of("https://mirror.internal.test/"),
                List.of("mirror.internal.test"), 5);
        assertThat(byName.check("https://mirror.internal.test/compose/")).isNotNull();
    }

    @ParameterizedTest
    @ValueSource(strings = { "127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1",
            "0.0.0.0", "224.0.0.1", "::1", "fe80::1", "fd00::1", "::ffff:169.254.169.254", "::ffff:10.0.0.1" })
    void internalAddresses(String address) throws Exception {
        assertThat(TrustedSources.internal(InetAddress.getByName(address))).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = { "8.8.8.8", "38.145.60.20", "2620:52:3:1:dead:beef:cafe:fed7" })
    void publicAddresses(String address) throws Exception {
        assertThat(TrustedSources.internal(InetAddress.getByName(address))).isFalse();
    }

    @Test
    void aPublicNameResolvingToAnInternalAddressIsRefused() {
        // "localhost" listed by name via a prefix whose host is not literal: only private-hosts makes it explicit
        TrustedSources s = TrustedSources.of("http://127.0.0.1:*/");
        assertThatThrownBy(() -> s.checkResolved(URI.create("http://localhost:80/")))
                .isInstanceOfSatisfying(BadInputException.class, e -> {
                    assertThat(e.reason()).isEqualTo(DeadLetterReason.UNTRUSTED_SOURCE);
                    assertThat(e.getMessage()).contains("internal address");
                });
    }

    @Test
    void redirectsAreCheckedLikeAnyUrl() {
        TrustedSources s = TrustedSources.of("https://a.example/pub/");
        URI from = URI.create("https://a.example/pub/x");
        assertThat(s.redirect(from, "/pub/y")).isEqualTo(URI.create("https://a.example/pub/y"));
        assertThatThrownBy(() -> s.redirect(from, "http://169.254.169.254/latest/"))
                .isInstanceOfSatisfying(BadInputException.class,
                        e -> assertThat(e.reason()).isEqualTo(DeadLetterReason.UNTRUSTED_SOURCE));
        assertThatThrownBy(() -> s.redirect(from, "/other/y")).isInstanceOf(BadInputException.class);
        assertThatThrownBy(() -> s.redirect(from, "file:///etc/shadow")).isInstanceOf(BadInputException.class);
    }

    /** The production defaults, as SourcesConfig gives them. */
    static final class SourcesDefaults {
        TrustedSources policy() {
            return new TrustedSources(List.of(TrustedSources.FEDORA_DEFAULT.split(",")), List.of(), 5);
        }
    }
}
