package org.fedoraproject.fedimg.bridge.job;

import java.time.Clock;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.fedoraproject.fedimg.bridge.config.BridgeConfig;
import org.fedoraproject.fedimg.bridge.messaging.SeenStore;
import org.jboss.logging.Logger;

import jakarta.enterprise.context.ApplicationScoped;

/**
 * Runs parked messages ({@link ParkedMessage}) through the pipeline again when they are due, a few at a time.
 * A message parked by a bridge that since stopped is picked up from the store by any other, or by itself after
 * its restart; two instances retrying the same message at once are harmless (deduplicated, derived ids).
 */
@ApplicationScoped
public class ParkedRetries {

    private static final Logger LOG = Logger.getLogger(ParkedRetries.class);
    private static final int CONCURRENCY = 4;

    private final BridgeConfig.Inbound config;
    private final SeenStore store;
    private final InboundPipeline pipeline;
    private final Set<String> inFlight = ConcurrentHashMap.newKeySet();
    private final Clock clock = Clock.systemUTC();
    private ScheduledExecutorService ticker;

    public ParkedRetries(BridgeConfig config, SeenStore store, InboundPipeline pipeline) {
        this.config = config.inbound();
        this.store = store;
        this.pipeline = pipeline;
    }

    public synchronized void start() {
        if (ticker != null) {
            return;
        }
        ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "bridge-parked-retries");
            t.setDaemon(true);
            return t;
        });
        long every = Math.max(100, config.retryPoll().toMillis());
        ticker.scheduleWithFixedDelay(this::tick, every, every, TimeUnit.MILLISECONDS);
    }

    public synchronized void stop() {
        if (ticker != null) {
            ticker.shutdownNow();
            ticker = null;
        }
    }

    void tick() {
        try {
            for (Map.Entry<String, byte[]> e : store.parked().entrySet()) {
                if (inFlight.size() >= CONCURRENCY) {
                    return;
                }
                ParkedMessage p;
                try {
                    p = ParkedMessage.read(e.getValue());
                } catch (RuntimeException bad) {
                    LOG.warnf("unreadable parked entry %s ignored: %s", e.getKey(), bad.getMessage());
                    continue;
                }
                if (!p.due(clock.instant()) || !inFlight.add(e.getKey())) {
                    continue;
                }
                LOG.infof("retrying parked message %s (attempt %d, failing since %s: %s)", e.getKey(),
                        p.attempts() + 1, p.firstFailure(), p.cause());
                pipeline.handle(p.message()).onTermination().invoke(() -> inFlight.remove(e.getKey()))
                        .subscribe().with(outcome -> LOG.infof("parked message %s: %s (%s)", e.getKey(),
                                outcome.kind(), outcome.detail()),
                                failure -> LOG.warnf("parked message %s failed again, stays parked: %s", e.getKey(),
                                        failure.getMessage()));
            }
        } catch (RuntimeException e) {
            LOG.warn("parked retries: " + e, e);
        }
    }
}
