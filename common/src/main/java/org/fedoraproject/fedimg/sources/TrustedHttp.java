package org.fedoraproject.fedimg.sources;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandler;
import java.net.http.HttpResponse.BodySubscribers;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;

import org.fedoraproject.fedimg.errors.BadInputException;
import org.fedoraproject.fedimg.events.DeadLetterReason;

/**
 * HTTP requests to trusted sources only: the URL is checked against {@link TrustedSources} (allow-list and
 * resolved address) before each connection, and redirects are followed here, one hop at a time, each checked
 * the same way, up to the policy's limit. The {@link HttpClient} must not follow redirects itself
 * ({@link #client}).
 */
public final class TrustedHttp {

    private final HttpClient http;
    private final TrustedSources sources;

    public TrustedHttp(HttpClient http, TrustedSources sources) {
        if (http.followRedirects() != HttpClient.Redirect.NEVER) {
            throw new IllegalArgumentException("the client must leave redirects to TrustedHttp");
        }
        this.http = http;
        this.sources = sources;
    }

    /** A client builder that follows no redirect by itself. */
    public static HttpClient.Builder client() {
        return HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER);
    }

    /** {@code host:port} as an unresolved address (a proxy's name is resolved when it is connected to). */
    public static InetSocketAddress proxyAddress(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        try {
            if (colon <= 0) {
                throw new NumberFormatException("no port");
            }
            return InetSocketAddress.createUnresolved(hostPort.substring(0, colon).trim(),
                    Integer.parseInt(hostPort.substring(colon + 1).trim()));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("fedimg.sources.proxy: host:port expected, not " + hostPort);
        }
    }

    public TrustedSources sources() {
        return sources;
    }

    /**
     * Blocking send: the request's URL must be trusted; redirects within the trusted sources are followed.
     *
     * @throws BadInputException    UNTRUSTED_SOURCE for the URL or a redirect, nothing fetched from it
     * @throws UnknownHostException when a host does not resolve
     */
    public <T> HttpResponse<T> send(HttpRequest request, BodyHandler<T> handler)
            throws IOException, InterruptedException {
        HttpRequest current = request;
        for (int hop = 0;; hop++) {
            URI uri = sources.checkResolved(sources.check(current.uri().toString()));
            HttpResponse<T> response;
            try {
                response = http.send(current, skippingRedirectBodies(handler));
            } catch (IOException e) {
                // the client wraps a body handler's refusal (BoundedBody) in an IOException
                BadInputException bad = badInput(e);
                if (bad != null) {
                    throw bad;
                }
                throw e;
            }
            String location = redirectLocation(response);
            if (location == null) {
                return response;
            }
            current = next(current, uri, location, hop);
        }
    }

    /**
     * The same without blocking: DNS checks run on {@code blocking}; the future fails with the same exceptions
     * (possibly wrapped in {@link CompletionException}).
     */
    public <T> CompletableFuture<HttpResponse<T>> sendAsync(HttpRequest request, BodyHandler<T> handler,
            Executor blocking) {
        return hop(request, handler, blocking, 0);
    }

    private <T> CompletableFuture<HttpResponse<T>> hop(HttpRequest request, BodyHandler<T> handler,
            Executor blocking, int hop) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return sources.checkResolved(sources.check(request.uri().toString()));
            } catch (UnknownHostException e) {
                throw new CompletionException(e);
            }
        }, blocking).thenCompose(uri -> http.sendAsync(request, skippingRedirectBodies(handler))
                .thenCompose(response -> {
                    String location = redirectLocation(response);
                    return location == null ? CompletableFuture.completedFuture(response)
                            : hop(next(request, uri, location, hop), handler, blocking, hop + 1);
                }));
    }

    /** The bad input somewhere in a failure's causes, else null. */
    public static BadInputException badInput(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof BadInputException b) {
                return b;
            }
        }
        return null;
    }

    private HttpRequest next(HttpRequest current, URI from, String location, int hop) {
        if (hop >= sources.maxRedirects()) {
            throw new BadInputException(DeadLetterReason.UNTRUSTED_SOURCE,
                    "more than " + sources.maxRedirects() + " redirects from " + current.uri());
        }
        URI target = sources.redirect(from, location);
        return HttpRequest.newBuilder(current, (name, value) -> true).uri(target).build();
    }

    private static String redirectLocation(HttpResponse<?> response) {
        int code = response.statusCode();
        boolean redirect = code == 301 || code == 302 || code == 303 || code == 307 || code == 308;
        return redirect ? response.headers().firstValue("Location").orElse("") : null;
    }

    /** A redirect's body is not read (nor handed to the caller's handler). */
    private static <T> BodyHandler<T> skippingRedirectBodies(BodyHandler<T> handler) {
        return info -> {
            int code = info.statusCode();
            if (code == 301 || code == 302 || code == 303 || code == 307 || code == 308) {
                return BodySubscribers.replacing(null);
            }
            return handler.apply(info);
        };
    }
}
