package org.fedoraproject.fedimg.cli.local;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

/**
 * A compose at an http(s) URL, such as a Fedora mirror or kojipkgs: local mode reads its metadata to announce it,
 * and the bridge and the uploader fetch it from there. The URL names the compose's top directory (holding
 * {@code compose/metadata/images.json}) or its {@code compose} directory (holding {@code metadata/images.json}).
 */
public final class RemoteCompose implements ComposeSource {

    /** As the bridge's {@code compose.max-metadata-bytes}: a bigger images.json is not a compose's. */
    private static final long MAX_METADATA_BYTES = 64L << 20;
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT)
            .followRedirects(HttpClient.Redirect.NORMAL).build();
    private final String location;
    private final ComposeMetadata metadata;

    private RemoteCompose(String url) {
        String base = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        byte[] images = fetch(base + "/metadata/images.json");
        if (images == null) {
            base = base + "/compose";
            images = fetch(base + "/metadata/images.json");
        }
        if (images == null) {
            throw new IllegalArgumentException(url + " is no compose: neither " + url + "/metadata/images.json nor "
                    + base + "/metadata/images.json exists");
        }
        this.location = base;
        this.metadata = ComposeMetadata.parse(images, fetch(base + "/metadata/composeinfo.json"));
    }

    public static RemoteCompose open(String url) {
        URI uri = URI.create(url);
        if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
            throw new IllegalArgumentException("--compose " + url + ": an http(s) URL or a directory is needed");
        }
        return new RemoteCompose(url);
    }

    @Override
    public ComposeMetadata metadata() {
        return metadata;
    }

    @Override
    public String location() {
        return location;
    }

    @Override
    public String describe() {
        return location;
    }

    @Override
    public Optional<InputStream> read(String path) throws IOException {
        return get(location + "/" + path);
    }

    /** The body, or empty on 404 and 410; any other answer but 200 is an error. */
    private Optional<InputStream> get(String url) throws IOException {
        try {
            HttpResponse<InputStream> response = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(TIMEOUT).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            if (response.statusCode() == 200) {
                return Optional.of(response.body());
            }
            response.body().close();
            if (response.statusCode() == 404 || response.statusCode() == 410) {
                return Optional.empty();
            }
            throw new IOException("HTTP " + response.statusCode());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    /** The whole body (at most the bound), or null where there is none. */
    private byte[] fetch(String url) {
        try (InputStream in = get(url).orElse(null)) {
            if (in == null) {
                return null;
            }
            byte[] body = in.readNBytes((int) MAX_METADATA_BYTES + 1);
            if (body.length > MAX_METADATA_BYTES) {
                throw new IllegalArgumentException(url + " is larger than " + MAX_METADATA_BYTES + " bytes");
            }
            return body;
        } catch (IOException e) {
            throw new UncheckedIOException("fetching " + url + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        // the JDK 17 client has nothing to close; its connections time out on their own
    }
}
