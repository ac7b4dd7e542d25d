package org.fedoraproject.fedimg.bridge.compose;

import java.io.IOException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;

import org.fedoraproject.fedimg.bridge.config.BridgeConfig;
import com.fasterxml.jackson.core.StreamReadFeature;
import org.fedoraproject.fedimg.bridge.domain.ProductmdImages;
import org.fedoraproject.fedimg.errors.BadInputException;
import org.fedoraproject.fedimg.events.DeadLetterReason;
import org.fedoraproject.fedimg.messaging.EventJson;
import org.fedoraproject.fedimg.sources.BoundedBody;
import org.fedoraproject.fedimg.sources.SourcesConfig;
import org.fedoraproject.fedimg.sources.TrustedHttp;
import org.fedoraproject.fedimg.sources.TrustedSources;
import org.jboss.logging.Logger;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Fetches productmd {@code images.json}. 404/410 is {@link DeadLetterReason#METADATA_NOT_FOUND}, an
 * unreadable file {@link DeadLetterReason#METADATA_INVALID}; server errors, timeouts and hosts that do not
 * resolve are {@link TransientFailure}s that the caller retries. Every URL, the compose location as the message
 * gave it and each URL fetched (after mirror rewrites, and each redirect), must be a trusted source
 * ({@code fedimg.sources.*}), else {@link DeadLetterReason#UNTRUSTED_SOURCE} and nothing is fetched.
 */
@ApplicationScoped
public class ComposeMetadataClient {

    private static final Logger LOG = Logger.getLogger(ComposeMetadataClient.class);

    private final TrustedHttp http;
    private final ComposeLocations locations;
    private final Duration timeout;
    private final long maxBytes;
    private final int maxImages;

    @Inject
    public ComposeMetadataClient(BridgeConfig config, SourcesConfig sources) {
        this(config, sources.policy(), sources.client());
    }

    public ComposeMetadataClient(BridgeConfig config, TrustedSources sources) {
        this(config, sources, TrustedHttp.client());
    }

    private ComposeMetadataClient(BridgeConfig config, TrustedSources sources, HttpClient.Builder client) {
        this.timeout = config.compose().httpTimeout();
        this.maxBytes = config.compose().maxMetadataBytes();
        this.maxImages = config.compose().maxImages();
        this.locations = new ComposeLocations(config.compose().locationTemplates(),
                config.compose().metadataRewrites().orElse(List.of()));
        this.http = new TrustedHttp(client.connectTimeout(timeout).build(), sources);
    }

    public ComposeLocations locations() {
        return locations;
    }

    public TrustedSources sources() {
        return http.sources();
    }

    /** images.json of the compose at {@code location}. */
    public Uni<ProductmdImages> images(String location) {
        try {
            http.sources().check(location); // as the message gave it, before any mirror rewrite
        } catch (BadInputException e) {
            return Uni.createFrom().failure(e);
        }
        String url = locations.imagesJsonUrl(location);
        return get(url).map(body -> {
            try {
                ProductmdImages images = ProductmdImages.parse(EventJson.MAPPER.reader()
                        .with(StreamReadFeature.STRICT_DUPLICATE_DETECTION).readTree(body));
                if (images.images().size() > maxImages) {
                    throw new BadInputException(DeadLetterReason.INPUT_TOO_LARGE, url + " lists "
                            + images.images().size() + " images, more than fedimg.bridge.compose.max-images ("
                            + maxImages + ")");
                }
                return images;
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
        HttpRequest request;
        try {
            request = HttpRequest.newBuilder(http.sources().check(url)).timeout(timeout)
                    .method("HEAD", HttpRequest.BodyPublishers.noBody()).build();
        } catch (BadInputException e) {
            return Uni.createFrom().failure(e);
        }
        return Uni.createFrom().completionStage(() -> http.sendAsync(request, HttpResponse.BodyHandlers.discarding(),
                Infrastructure.getDefaultWorkerPool()))
                .onFailure().transform(e -> transient_("HEAD " + url, e))
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
        return Uni.createFrom().completionStage(() -> http.sendAsync(request,
                BoundedBody.ofBytes(maxBytes, "images.json " + url),
                Infrastructure.getDefaultWorkerPool()))
                .onFailure().transform(e -> transient_("GET " + url, e))
                .map(r -> {
                    int code = r.statusCode();
                    if (code == 404 || code == 410) {
                        throw new BadInputException(DeadLetterReason.METADATA_NOT_FOUND, url + " returned HTTP " + code);
                    }
                    if (code >= 500 || code == 429 || code == 408) {
                        throw new MetadataUnreachable(url + " returned HTTP " + code);
                    }
                    if (code != 200) {
                        throw new BadInputException(DeadLetterReason.METADATA_NOT_FOUND, url + " returned HTTP " + code);
                    }
                    LOG.debugf("fetched %s (%d bytes)", url, r.body().length);
                    return r.body();
                });
    }

    /**
     * A failure of the request: bad input stays what it is; anything else is transient, described by its real
     * cause ("host x does not resolve", "Connection refused") rather than only its exception class.
     */
    private static RuntimeException transient_(String what, Throwable e) {
        Throwable c = unwrap(e);
        BadInputException bad = TrustedHttp.badInput(c);
        if (bad != null) {
            return bad;
        }
        String cause = c instanceof UnknownHostException ? c.getMessage()
                : c.getMessage() == null ? c.getClass().getSimpleName() : c.getClass().getSimpleName() + ": "
                        + c.getMessage();
        return new MetadataUnreachable(what + " failed: " + cause, c);
    }

    private static Throwable unwrap(Throwable e) {
        Throwable c = e;
        while (c instanceof CompletionException && c.getCause() != null) {
            c = c.getCause();
        }
        return c;
    }
}
