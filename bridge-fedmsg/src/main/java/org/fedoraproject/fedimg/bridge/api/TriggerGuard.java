package org.fedoraproject.fedimg.bridge.api;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.Locale;
import java.util.Optional;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.fedoraproject.fedimg.bridge.config.BridgeConfig;
import org.fedoraproject.fedimg.bridge.metrics.BridgeMetrics;
import org.jboss.logging.Logger;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

/**
 * Who may use the manual trigger, and how often. The trigger makes fedimg publish an image of the caller's
 * choice, so it runs only when callers are authenticated: a bearer token ({@code fedimg.bridge.trigger.token}),
 * or client certificates required by the HTTP server ({@code quarkus.http.ssl.client-auth=required}). Without
 * either it stays off (403), unless {@code fedimg.bridge.trigger.open} says otherwise (local mode, on loopback).
 * Tokens are compared in constant time on their SHA-256; refusals are counted and logged without the token;
 * requests beyond {@code fedimg.bridge.trigger.requests-per-minute} (a token bucket, all callers together,
 * refused ones included) are answered 429.
 */
@ApplicationScoped
public class TriggerGuard {

    private static final Logger LOG = Logger.getLogger(TriggerGuard.class);

    /** Why a request was not let through. */
    public enum Refusal {
        DISABLED, UNAUTHORIZED, RATE_LIMITED
    }

    private final byte[] tokenDigest;
    private final boolean open;
    private final boolean mtls;
    private final BridgeMetrics metrics;
    private final RateLimiter limiter;

    @Inject
    public TriggerGuard(BridgeConfig config, BridgeMetrics metrics,
            @ConfigProperty(name = "quarkus.http.ssl.client-auth") Optional<String> clientAuth) {
        this(config.trigger().token(), config.trigger().open(),
                clientAuth.map(a -> a.toUpperCase(Locale.ROOT).equals("REQUIRED")).orElse(false),
                config.trigger().requestsPerMinute(), metrics, Clock.systemUTC());
    }

    TriggerGuard(Optional<String> token, boolean open, boolean mtls, int perMinute, BridgeMetrics metrics,
            Clock clock) {
        this.tokenDigest = token.filter(t -> !t.isBlank()).map(t -> sha256("Bearer " + t)).orElse(null);
        this.open = open;
        this.mtls = mtls;
        this.metrics = metrics;
        this.limiter = new RateLimiter(perMinute, clock);
    }

    void announce(@Observes StartupEvent started) {
        if (enabled()) {
            LOG.infof("manual trigger on: %s", tokenDigest != null ? "bearer token required"
                    : mtls ? "client certificates required" : "OPEN without authentication (fedimg.bridge.trigger.open)");
        } else {
            LOG.warn("manual trigger off: no fedimg.bridge.trigger.token and no required client certificates "
                    + "(quarkus.http.ssl.client-auth=required); its requests are answered 403");
        }
    }

    public boolean enabled() {
        return tokenDigest != null || mtls || open;
    }

    /** Empty: let the request through; else why not. Counted and logged (never with the token). */
    public Optional<Refusal> check(String authorization, String remote) {
        Optional<Refusal> refusal = decide(authorization);
        refusal.ifPresent(r -> {
            metrics.triggerRefused(r.name().toLowerCase(Locale.ROOT).replace('_', '-'));
            LOG.warnf("trigger request from %s refused: %s (%s)", remote == null ? "unknown" : remote, r,
                    authorization == null ? "no Authorization header" : "an Authorization header that does not match");
        });
        return refusal;
    }

    private Optional<Refusal> decide(String authorization) {
        if (!limiter.tryAcquire()) {
            return Optional.of(Refusal.RATE_LIMITED);
        }
        if (!enabled()) {
            return Optional.of(Refusal.DISABLED);
        }
        if (tokenDigest == null) {
            return Optional.empty(); // mTLS (the server refused the connection otherwise) or open
        }
        // digests of equal length, compared without early exit: the time says nothing about the token
        byte[] given = sha256(authorization == null ? "" : authorization);
        return MessageDigest.isEqual(tokenDigest, given) ? Optional.empty() : Optional.of(Refusal.UNAUTHORIZED);
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A token bucket: {@code perMinute} requests, refilled continuously. */
    static final class RateLimiter {
        private final double capacity;
        private final double perMilli;
        private final Clock clock;
        private double tokens;
        private long last;

        RateLimiter(int perMinute, Clock clock) {
            this.capacity = Math.max(1, perMinute);
            this.perMilli = capacity / 60_000.0;
            this.clock = clock;
            this.tokens = capacity;
            this.last = clock.millis();
        }

        synchronized boolean tryAcquire() {
            long now = clock.millis();
            tokens = Math.min(capacity, tokens + Math.max(0, now - last) * perMilli);
            last = now;
            if (tokens < 1) {
                return false;
            }
            tokens -= 1;
            return true;
        }
    }
}
