package org.fedoraproject.fedimg.sources;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

import org.fedoraproject.fedimg.errors.BadInputException;
import org.fedoraproject.fedimg.events.DeadLetterReason;

/**
 * The one place that decides whether a URL from a message, images.json or the trigger may be fetched. A URL is
 * trusted when it is http(s), has no user info, and starts with an entry of the allow-list (same scheme, host,
 * port, and a path prefix on a segment boundary, after {@code ..} is resolved). Its host must also not resolve
 * to a loopback, link-local (169.254.169.254 included), private, unique-local, CGNAT, multicast or wildcard
 * address, unless the entry names that address itself or the host is listed in {@code private-hosts}.
 * A refusal is a {@link BadInputException} with {@link DeadLetterReason#UNTRUSTED_SOURCE} carrying the URL.
 * <p>
 * The address check happens before each connection, and the connection resolves the host again. A DNS answer
 * that changes in between (rebinding) cannot reach an internal service: plain-http entries must name an address,
 * {@code localhost} or a private host (a DNS name is refused as an entry), and over https the certificate check
 * ties the connection to the name.
 */
public final class TrustedSources {

    /** Fedora's compose hosts, https only. */
    public static final String FEDORA_DEFAULT = "https://kojipkgs.fedoraproject.org/compose/,"
            + "https://dl.fedoraproject.org/pub/";

    private final List<Prefix> prefixes;
    private final Set<String> privateHosts;
    private final int maxRedirects;

    /**
     * @throws IllegalArgumentException for an entry that is not an http(s) prefix, or a plain-http entry naming a
     *                                  host by DNS name that is not in {@code privateHosts} (see {@link #rebindable})
     */
    public TrustedSources(List<String> allowed, List<String> privateHosts, int maxRedirects) {
        this.privateHosts = privateHosts.stream().map(h -> h.trim().toLowerCase(Locale.ROOT))
                .collect(Collectors.toUnmodifiableSet());
        this.prefixes = allowed.stream().map(String::trim).filter(s -> !s.isEmpty()).map(Prefix::parse).toList();
        for (Prefix p : prefixes) {
            if (rebindable(p)) {
                throw new IllegalArgumentException("fedimg.sources.allowed: the plain-http entry " + p + " names its "
                        + "host by DNS name: nothing ties the connection to the address checked, so a DNS answer "
                        + "changed in between (rebinding) could reach an internal service. Use https (the certificate "
                        + "check binds the connection to the name), the host's IP address, or, if you control its "
                        + "DNS, list it in fedimg.sources.private-hosts (docs/security.md)");
            }
        }
        this.maxRedirects = maxRedirects;
    }

    /**
     * DNS rebinding: the address check resolves the host, then the HTTP client resolves it again to connect (the
     * JVM's address cache usually answers the same, but not across its expiry). Over https the certificate must
     * name the host, so a changed answer reaches only a server that proves to be that host; an IP literal or
     * {@code localhost} is not looked up in DNS; a name in {@code private-hosts} is one whose DNS the operator
     * vouches for. Left: plain http to a DNS name, refused as an entry.
     */
    private boolean rebindable(Prefix p) {
        return p.scheme().equals("http") && !literal(p.host()) && !privateHosts.contains(p.host());
    }

    /** An IP address or {@code localhost}: no DNS answer to change. */
    private static boolean literal(String host) {
        return "localhost".equals(host) || host.matches("[0-9.]+") || host.contains(":");
    }

    /** For tests and tools: these entries, no private host names, 5 redirects. */
    public static TrustedSources of(String... allowed) {
        return new TrustedSources(List.of(allowed), List.of(), 5);
    }

    public int maxRedirects() {
        return maxRedirects;
    }

    public List<String> allowed() {
        return prefixes.stream().map(Prefix::toString).toList();
    }

    /**
     * A plain-http URL whose https twin is trusted, as https (old compose messages name kojipkgs over http);
     * any other URL as it is. Nothing is ever fetched over http from a prefix trusted over https only.
     */
    public String upgraded(String url) {
        if (url == null || !url.regionMatches(true, 0, "http://", 0, 7)) {
            return url;
        }
        try {
            check(url);
            return url;
        } catch (BadInputException e) {
            String https = "https://" + url.substring(7);
            try {
                check(https);
                return https;
            } catch (BadInputException stillNot) {
                return url;
            }
        }
    }

    /** The URL parsed and checked against the allow-list, without DNS; throws UNTRUSTED_SOURCE. */
    public URI check(String url) {
        if (url == null || url.isBlank()) {
            throw untrusted(url, "no URL");
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw untrusted(url, "not a valid URL");
        }
        return check(uri, url);
    }

    private URI check(URI uri, String asGiven) {
        String scheme = uri.getScheme() == null ? null : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!"https".equals(scheme) && !"http".equals(scheme)) {
            throw untrusted(asGiven, "only http(s) URLs are fetched, not " + (scheme == null ? "a relative URL"
                    : scheme + ":"));
        }
        if (uri.getRawUserInfo() != null) {
            throw untrusted(asGiven, "URLs with user info are refused");
        }
        if (uri.getHost() == null || uri.isOpaque()) {
            throw untrusted(asGiven, "the URL has no host");
        }
        String path = uri.getPath() == null ? "" : uri.getPath();
        if (("/" + path + "/").contains("/../") || ("/" + path + "/").contains("/./") || encodedTrick(uri.getRawPath())) {
            throw untrusted(asGiven, "the URL's path climbs out of its prefix");
        }
        if (prefixes.stream().noneMatch(p -> p.matches(scheme, uri))) {
            throw untrusted(asGiven, "it is outside the compose-source allow-list " + allowed());
        }
        return uri;
    }

    /**
     * Resolves the URL's host and refuses it when an address is internal and not explicitly allowed. Blocking
     * (DNS): call it off event loops.
     *
     * @throws UnknownHostException when the host does not resolve (a transient failure for the caller)
     */
    public URI checkResolved(URI uri) throws UnknownHostException {
        String host = bareHost(uri);
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(host);
        } catch (UnknownHostException e) {
            throw new UnknownHostException("host " + host + " does not resolve");
        }
        if (explicitlyInternal(uri)) {
            return uri;
        }
        for (InetAddress a : addresses) {
            if (internal(a)) {
                throw untrusted(uri.toString(), "its host " + host + " resolves to the internal address "
                        + a.getHostAddress() + ", which is not explicitly allowed");
            }
        }
        return uri;
    }

    /** The target of a redirect from {@code from}, checked like any URL; throws UNTRUSTED_SOURCE. */
    public URI redirect(URI from, String location) {
        if (location == null || location.isBlank()) {
            throw untrusted(from.toString(), "a redirect without a Location");
        }
        URI target;
        try {
            target = from.resolve(new URI(location.trim()));
        } catch (URISyntaxException | IllegalArgumentException e) {
            throw untrusted(location, "redirect from " + from + " to an invalid URL");
        }
        try {
            return check(target, target.toString());
        } catch (BadInputException e) {
            throw new BadInputException(DeadLetterReason.UNTRUSTED_SOURCE,
                    "redirect from " + from + " leaves the trusted sources: " + e.getMessage());
        }
    }

    /** Encoded slashes, backslashes, dots or NUL: ways to climb out of a prefix past a naive server. */
    private static boolean encodedTrick(String rawPath) {
        String p = rawPath == null ? "" : rawPath.toLowerCase(Locale.ROOT);
        return p.contains("%2f") || p.contains("%5c") || p.contains("%2e") || p.contains("%00") || p.contains("\\");
    }

    private boolean explicitlyInternal(URI uri) {
        String host = bareHost(uri);
        if (privateHosts.contains(host)) {
            return true;
        }
        // an entry that names the address (or localhost) itself is an explicit choice
        return literal(host) && prefixes.stream().anyMatch(p -> p.host.equals(host));
    }

    /** Loopback, link-local, site-local, unique-local, CGNAT, multicast, wildcard, IPv4-mapped internal. */
    public static boolean internal(InetAddress a) {
        if (a.isLoopbackAddress() || a.isLinkLocalAddress() || a.isSiteLocalAddress() || a.isAnyLocalAddress()
                || a.isMulticastAddress()) {
            return true;
        }
        byte[] b = a.getAddress();
        if (a instanceof Inet4Address) {
            int first = b[0] & 0xff;
            int second = b[1] & 0xff;
            return first == 0 || (first == 100 && second >= 64 && second < 128) || first >= 240
                    || (first == 192 && second == 0 && (b[2] & 0xff) == 0);
        }
        if (a instanceof Inet6Address) {
            if ((b[0] & 0xfe) == 0xfc) {
                return true; // fc00::/7 unique local
            }
            boolean mapped = true;
            for (int i = 0; i < 10; i++) {
                mapped &= b[i] == 0;
            }
            if (mapped && (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff) {
                try {
                    return internal(InetAddress.getByAddress(new byte[] { b[12], b[13], b[14], b[15] }));
                } catch (UnknownHostException e) {
                    return true;
                }
            }
        }
        return false;
    }

    private static String bareHost(URI uri) {
        String h = uri.getHost().toLowerCase(Locale.ROOT);
        return h.startsWith("[") && h.endsWith("]") ? h.substring(1, h.length() - 1) : h;
    }

    private static BadInputException untrusted(String url, String why) {
        return new BadInputException(DeadLetterReason.UNTRUSTED_SOURCE, "untrusted source " + url + ": " + why);
    }

    /** One allow-list entry. Port -1: the scheme's default; 0: any port ({@code :*}). */
    private record Prefix(String scheme, String host, int port, String path) {

        static Prefix parse(String entry) {
            String e = entry.contains("://") ? entry : "https://" + entry + "/";
            boolean anyPort = e.matches("^[a-zA-Z]+://[^/]+:\\*(/.*)?$");
            if (anyPort) {
                e = e.replaceFirst(":\\*", "");
            }
            URI u = URI.create(e).normalize();
            String scheme = u.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("https") && !scheme.equals("http")) {
                throw new IllegalArgumentException("fedimg.sources.allowed: only http(s) prefixes, not " + entry);
            }
            if (u.getHost() == null) {
                throw new IllegalArgumentException("fedimg.sources.allowed: no host in " + entry);
            }
            String path = u.getPath() == null || u.getPath().isEmpty() ? "/" : u.getPath();
            return new Prefix(scheme, bareHost(u), anyPort ? 0 : effectivePort(scheme, u.getPort()), path);
        }

        boolean matches(String uriScheme, URI uri) {
            if (!scheme.equals(uriScheme) || !host.equals(bareHost(uri))) {
                return false;
            }
            if (port != 0 && port != effectivePort(uriScheme, uri.getPort())) {
                return false;
            }
            String p = uri.getPath() == null || uri.getPath().isEmpty() ? "/" : uri.getPath();
            return path.endsWith("/") ? p.startsWith(path) : (p.equals(path) || p.startsWith(path + "/"));
        }

        static int effectivePort(String scheme, int port) {
            return port != -1 ? port : scheme.equals("https") ? 443 : 80;
        }

        @Override
        public String toString() {
            return scheme + "://" + (host.contains(":") ? "[" + host + "]" : host)
                    + (port == 0 ? ":*" : port == effectivePort(scheme, -1) ? "" : ":" + port) + path;
        }
    }
}
