package org.fedoraproject.fedimg.bridge.compose;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;

import org.fedoraproject.fedimg.bridge.config.BridgeConfig;
import org.fedoraproject.fedimg.bridge.domain.ProductmdImages;
import org.fedoraproject.fedimg.errors.BadInputException;
import org.fedoraproject.fedimg.events.DeadLetterReason;
import org.fedoraproject.fedimg.messaging.EventJson;
import org.jboss.logging.Logger;

import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Fetches productmd {@code images.json}. 404/410 is {@link DeadLetterReason#METADATA_NOT_FOUND}, an
 * unreadable file {@link DeadLetterReason#METADATA_INVALID}; server errors and timeouts are
 * {@link TransientFailure}s that the caller retries.
 */
@ApplicationScoped
public class ComposeMetadataClient {

    private static final Logger LOG = Logger.getLogger(ComposeMetadataClient.class);

    private final HttpClient http;
    private final ComposeLocations locations;
    private final Duration timeout;
    private final long maxBytes;

    public ComposeMetadataClient(BridgeConfig config) {
        this.timeout = config.compose().httpTimeout();
        this.maxBytes = config.compose().maxMetadataBytes();
        this.locations = new ComposeLocations(config.compose().locationTemplates(),
                config.compose().metadataRewrites().orElse(List.of()));
        this.http = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NORMAL)
                .build();
    }

    public ComposeLocations locations() {
        return locations;
    }

    /** images.json of the compose at {@code location}. */
    public Uni<ProductmdImages> images(String location) {
        String url = locations.imagesJsonUrl(location);
        return get(url).map(body -> {
            try {
                return ProductmdImages.parse(EventJson.MAPPER.readTree(body));
            } catch (IOException e) {
                throw new BadInputException(DeadLetterReason.METADATA_INVALID,
                        url + " is not valid JSON: " + e.getMessage());
            }
        });
    }

    /** The first candidate location of a compose id whose images.json exists, with its metadata. */
    public Uni<Located> locate(String composeId) {
        return tryCandidates(composeId, locations.candidates(composeId), 0);
    }

    public record Located(String location, ProductmdImages images) {
    }

    private Uni<Located> tryCandidates(String composeId, List<String> candidates, int i) {
        if (i >= candidates.size()) {
            return Uni.createFrom().failure(new BadInputException(DeadLetterReason.UNKNOWN_COMPOSE,
                    "compose " + composeId + " not found at " + candidates));
        }
        String location = candidates.get(i);
        return images(location).map(images -> new Located(location, images))
                .onFailure(e -> e instanceof BadInputException b && b.reason() == DeadLetterReason.METADATA_NOT_FOUND)
                .recoverWithUni(() -> tryCandidates(composeId, candidates, i + 1));
    }

    /** Size of a file by HEAD, for single-image triggers that give no size. */
    public Uni<Long> contentLength(String url) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(timeout)
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build();
        return Uni.createFrom().completionStage(() -> http.sendAsync(request, HttpResponse.BodyHandlers.discarding()))
                .onFailure().transform(e -> new TransientFailure("HEAD " + url + " failed: " + unwrap(e).getMessage(), e))
                .map(r -> {
                    if (r.statusCode() == 404 || r.statusCode() == 410) {
                        throw new BadInputException(DeadLetterReason.IMAGE_NOT_FOUND, url + " returned " + r.statusCode());
                    }
                    return r.headers().firstValueAsLong("Content-Length").orElse(-1);
                });
    }

    private Uni<byte[]> get(String url) {
        HttpRequest request;
        try {
            request = HttpRequest.newBuilder(URI.create(url)).timeout(timeout).header("Accept", "application/json")
                    .GET().build();
        } catch (IllegalArgumentException e) {
            return Uni.createFrom().failure(new BadInputException(DeadLetterReason.MALFORMED_MESSAGE,
                    "compose location gives an invalid URL " + url));
        }
        return Uni.createFrom().completionStage(() -> http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray()))
                .onFailure().transform(e -> new TransientFailure("GET " + url + " failed: " + unwrap(e), e))
                .map(r -> {
                    int code = r.statusCode();
                    if (code == 404 || code == 410) {
                        throw new BadInputException(DeadLetterReason.METADATA_NOT_FOUND, url + " returned HTTP " + code);
                    }
                    if (code >= 500 || code == 429 || code == 408) {
                        throw new TransientFailure(url + " returned HTTP " + code);
                    }
                    if (code != 200) {
                        throw new BadInputException(DeadLetterReason.METADATA_NOT_FOUND, url + " returned HTTP " + code);
                    }
                    if (r.body().length > maxBytes) {
                        throw new BadInputException(DeadLetterReason.METADATA_INVALID,
                                url + " is larger than " + maxBytes + " bytes");
                    }
                    LOG.debugf("fetched %s (%d bytes)", url, r.body().length);
                    return r.body();
                });
    }

    private static Throwable unwrap(Throwable e) {
        return e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    }
}
