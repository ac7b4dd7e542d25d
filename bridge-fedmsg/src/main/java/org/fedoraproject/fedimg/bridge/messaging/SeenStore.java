package org.fedoraproject.fedimg.bridge.messaging;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.fedoraproject.fedimg.bridge.config.BridgeConfig;
import org.fedoraproject.fedimg.messaging.TopicSnapshot;
import org.jboss.logging.Logger;

import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * What the bridge has already turned into image events: bus message ids ({@code message:<id>}), compose ids
 * ({@code compose:<id>}) and image keys ({@code image:<key>}). Kept in a compacted Kafka topic, so it
 * survives restarts and lives where the events it guards live (no extra database); loaded completely at
 * start before any consumer runs, then tailed so several bridge instances see each other's writes.
 * A key is written only after the image events are acknowledged by Kafka: a crash in between re-emits
 * the same (derived-id) events, never loses them.
 * <p>
 * The same topic holds the messages waiting for another attempt after a transient failure
 * ({@code parked:<message id>}, {@link #park}): their attempt count survives restarts and redelivery, and they
 * wait here rather than at the head of the bus queue, where they would hold back the messages behind them.
 */
@ApplicationScoped
public class SeenStore {

    private static final Logger LOG = Logger.getLogger(SeenStore.class);
    private static final String PARKED = "parked:";

    private final BridgeConfig.Dedup config;
    private final String bootstrap;
    private final Map<String, Instant> seen = new ConcurrentHashMap<>();
    private final Map<String, byte[]> parked = new ConcurrentHashMap<>();
    /**
     * Per parked key, the offset of the newest record of it applied: the tail reads this process's own writes back
     * after their acknowledgement was applied, and an older "parked" record read back after a newer tombstone would
     * bring a message back to life that was already dead-lettered (it was then retried and dead-lettered again).
     */
    private final Map<String, Long> parkedOffsets = new ConcurrentHashMap<>();
    private final Clock clock = Clock.systemUTC();
    private KafkaProducer<String, byte[]> producer;
    private KafkaConsumer<String, byte[]> tail;
    private Thread tailThread;
    private volatile boolean running;

    public SeenStore(BridgeConfig config, @ConfigProperty(name = "kafka.bootstrap.servers") String bootstrap) {
        this.config = config.dedup();
        this.bootstrap = bootstrap;
    }

    public boolean enabled() {
        return config.enabled();
    }

    public boolean seen(String key) {
        return config.enabled() && seen.containsKey(key);
    }

    public Optional<Instant> when(String key) {
        return Optional.ofNullable(seen.get(key));
    }

    public int size() {
        return seen.size();
    }

    /** Creates the compacted topic if needed and reads it from the beginning to its end. */
    public synchronized void start() {
        if (!config.enabled() || running) {
            return;
        }
        createTopic();
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "bridge-fedmsg-seen");
        producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
        TopicSnapshot snapshot = new TopicSnapshot(bootstrap, "bridge-fedmsg-seen-reader", config.loadTimeout());
        tail = snapshot.consumer();
        Instant deadline = clock.instant().plus(config.loadTimeout());
        // a topic created a moment ago may not be in the metadata yet
        while (snapshot.readToEnd(tail, List.of(config.topic()), this::apply).isEmpty()) {
            if (clock.instant().isAfter(deadline)) {
                throw new IllegalStateException("topic " + config.topic() + " has no partitions");
            }
            sleep(200);
        }
        LOG.infof("dedup store %s loaded: %d keys", config.topic(), seen.size());
        running = true;
        tailThread = new Thread(this::tailLoop, "bridge-seen-tail");
        tailThread.setDaemon(true);
        tailThread.start();
    }

    public synchronized void stop() {
        running = false;
        if (tail != null) {
            tail.wakeup();
        }
        if (tailThread != null) {
            try {
                tailThread.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
        }
    }

    /** Records keys; completes when Kafka acknowledged all of them. */
    public Uni<Void> remember(Set<String> keys, String by) {
        if (!config.enabled() || keys.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        Instant now = clock.instant();
        byte[] value = ("{\"time\":\"" + now + "\",\"by\":\"" + by.replace("\"", "'") + "\"}")
                .getBytes(StandardCharsets.UTF_8);
        List<CompletableFuture<Void>> writes = keys.stream().map(key -> {
            CompletableFuture<Void> done = new CompletableFuture<>();
            producer.send(new ProducerRecord<>(config.topic(), key, value), (md, e) -> {
                if (e != null) {
                    done.completeExceptionally(e);
                } else {
                    seen.put(key, now);
                    done.complete(null);
                }
            });
            return done;
        }).toList();
        return Uni.createFrom().completionStage(CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)))
                .replaceWithVoid();
    }

    public int parkedCount() {
        return parked.size();
    }

    /** Messages parked for another attempt, by message id: the values {@link #park} wrote. */
    public Map<String, byte[]> parked() {
        return Map.copyOf(parked);
    }

    public Optional<byte[]> parked(String messageId) {
        return Optional.ofNullable(parked.get(PARKED + messageId));
    }

    /** Keeps (or replaces) a parked message; completes when Kafka acknowledged it. */
    public Uni<Void> park(String messageId, byte[] value) {
        return write(PARKED + messageId, value);
    }

    /** Forgets a parked message (a tombstone); nothing to do when none is parked. */
    public Uni<Void> unpark(String messageId) {
        return parked.containsKey(PARKED + messageId) ? write(PARKED + messageId, null) : Uni.createFrom().voidItem();
    }

    private Uni<Void> write(String key, byte[] value) {
        if (!config.enabled() || producer == null) {
            // no store (tests, dedup off): parked messages live in memory only
            if (value == null) {
                parked.remove(key);
            } else {
                parked.put(key, value);
            }
            return Uni.createFrom().voidItem();
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        producer.send(new ProducerRecord<>(config.topic(), key, value), (md, e) -> {
            if (e != null) {
                done.completeExceptionally(e);
            } else {
                applyParked(key, value, md.offset());
                done.complete(null);
            }
        });
        return Uni.createFrom().completionStage(done).replaceWithVoid();
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void tailLoop() {
        try {
            while (running) {
                tail.poll(Duration.ofSeconds(1)).forEach(this::apply);
            }
        } catch (WakeupException e) {
            // stopping
        } catch (RuntimeException e) {
            LOG.errorf(e, "tailing %s stopped; other instances' writes are no longer seen", config.topic());
        } finally {
            tail.close(Duration.ofSeconds(2));
        }
    }

    /** A parked key's record (null: its tombstone), unless a newer one of the key was applied already. */
    private void applyParked(String key, byte[] value, long offset) {
        parkedOffsets.compute(key, (k, newest) -> {
            if (newest != null && newest > offset) {
                return newest;
            }
            if (value == null) {
                parked.remove(key);
            } else {
                parked.put(key, value);
            }
            return offset;
        });
    }

    private void apply(ConsumerRecord<String, byte[]> r) {
        if (r.key() == null) {
            return;
        }
        if (r.key().startsWith(PARKED)) {
            applyParked(r.key(), r.value(), r.offset());
            return;
        }
        if (r.value() == null) {
            seen.remove(r.key()); // tombstone: an operator made the bridge forget it
        } else {
            seen.put(r.key(), Instant.ofEpochMilli(r.timestamp()));
        }
    }

    private void createTopic() {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (Admin admin = Admin.create(p)) {
            NewTopic topic = new NewTopic(config.topic(), Optional.of(1), config.replicationFactor())
                    .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
            admin.createTopics(List.of(topic)).all().get(config.loadTimeout().toMillis(), TimeUnit.MILLISECONDS);
            LOG.infof("created compacted topic %s", config.topic());
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("cannot create " + config.topic() + ": " + e.getCause(), e);
            }
        } catch (TimeoutException e) {
            throw new IllegalStateException("cannot create " + config.topic() + " in time", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
