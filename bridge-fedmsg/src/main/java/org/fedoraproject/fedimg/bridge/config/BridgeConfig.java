package org.fedoraproject.fedimg.bridge.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

/** Everything under {@code fedimg.bridge.*}; README.md lists each key with an example. */
@ConfigMapping(prefix = "fedimg.bridge")
public interface BridgeConfig {

    /** The fedmsg/fedora-messaging environment in outbound topics: prod, stg or dev. */
    @WithDefault("prod")
    String environment();

    /** Topic prefix of outbound topics ({@code <prefix>.<env>.fedimg.image.upload}). */
    @WithDefault("org.fedoraproject")
    String topicPrefix();

    Inbound inbound();

    Selection selection();

    Compose compose();

    Dedup dedup();

    Amqp amqp();

    Fedmsg fedmsg();

    Outbound outbound();

    Trigger trigger();

    interface Inbound {
        /** Inbound topics must end with this (any prefix and environment). */
        @WithDefault("pungi.compose.status.change")
        String topicSuffix();

        /** Statuses that start image processing. */
        @WithDefault("FINISHED,FINISHED_INCOMPLETE")
        List<String> triggerStatuses();

        /** Statuses that are valid but ignored (counted). Anything else is an unknown status → dead letter. */
        @WithDefault("STARTED,DOOMED,TERMINATED")
        List<String> ignoredStatuses();

        /** In-process retries of a transient failure (metadata server 5xx, Kafka) before the next step. */
        @WithDefault("3")
        int transientRetries();

        /**
         * Attempts of a message whose compose metadata stays unreachable (each after the in-process retries),
         * counted per message id in the dedup store so redelivery and restarts do not reset them; then it is
         * dead-lettered as METADATA_UNREACHABLE with the last cause.
         */
        @WithDefault("8")
        int maxAttempts();

        /** ... or after this long since its first failure, whichever comes first. */
        @WithDefault("6h")
        Duration giveUpAfter();

        /** Wait before a parked message's next attempt; doubled after each one, up to {@link #retryDelayMax()}. */
        @WithDefault("1m")
        Duration retryDelay();

        @WithDefault("30m")
        Duration retryDelayMax();

        /** How often parked messages are checked for being due. */
        @WithDefault("5s")
        Duration retryPoll();

        /**
         * A bus message larger than this is dead-lettered as INPUT_TOO_LARGE unread (compose messages are about
         * 1 KiB); fedmsg frames larger than it are dropped by the socket (ZMQ_MAXMSGSIZE).
         */
        @WithDefault("1048576")
        int maxMessageBytes();

        /** Pause before a failed AMQP message is nacked with requeue, so a broken dependency is not hammered. */
        @WithDefault("5s")
        Duration requeueDelay();
    }

    interface Selection {
        @WithDefault("Cloud")
        List<String> variants();

        @WithDefault("Cloud_Base")
        List<String> subvariants();

        @WithDefault("raw-xz")
        List<String> types();

        @WithDefault("x86_64,aarch64")
        List<String> arches();

        /** Where a compose has files whose name contains this, only those are taken (Fedora 40+ AmazonEC2). */
        @WithDefault("AmazonEC2")
        Optional<String> preferFileNameContaining();
    }

    interface Compose {
        /**
         * Where to find a compose given only its id (manual trigger, message without location); tried in order.
         * Placeholders: {composeId}, {release} (lower case, e.g. 41 or rawhide).
         */
        @WithDefault("https://kojipkgs.fedoraproject.org/compose/{composeId}/compose,"
                + "https://kojipkgs.fedoraproject.org/compose/{release}/{composeId}/compose")
        List<String> locationTemplates();

        /** Fetch metadata from a mirror: entries {@code <prefix>=><replacement>} applied to the compose location. */
        Optional<List<String>> metadataRewrites();

        @WithDefault("30s")
        Duration httpTimeout();

        /** images.json bigger than this is refused (INPUT_TOO_LARGE) without reading past the bound. */
        @WithDefault("67108864")
        long maxMetadataBytes();

        /** A compose listing more images than this in images.json is refused as INPUT_TOO_LARGE. */
        @WithDefault("5000")
        int maxImages();
    }

    interface Dedup {
        @WithDefault("true")
        boolean enabled();

        /** Compacted topic holding the message ids, compose ids and image keys already handled. */
        @WithDefault("fedimg.bridge.seen")
        String topic();

        /** Replication factor when the bridge creates the topic; empty = broker default. */
        Optional<Short> replicationFactor();

        @WithDefault("60s")
        Duration loadTimeout();
    }

    interface Amqp {
        /** Consume compose messages from fedora-messaging. */
        @WithDefault("false")
        boolean consume();

        /** Publish fedimg messages to fedora-messaging. */
        @WithDefault("false")
        boolean publish();

        /** fedora-messaging's amqp_url. */
        @WithDefault("amqp://guest:guest@127.0.0.1:5672/%2F")
        String url();

        Tls tls();

        /** The exchange bound to ([[bindings]] exchange). */
        @WithDefault("amq.topic")
        String exchange();

        /** [[bindings]] routing_keys. */
        @WithDefault("org.fedoraproject.prod.pungi.compose.status.change")
        List<String> routingKeys();

        /** [queues.<name>]; empty: a server-named, exclusive, auto-delete, non-durable queue. */
        Optional<String> queue();

        @WithDefault("true")
        boolean queueDurable();

        @WithDefault("false")
        boolean queueAutoDelete();

        @WithDefault("false")
        boolean queueExclusive();

        /** Declare queue and exchange passively (they must exist; for brokers where we may not create). */
        @WithDefault("false")
        boolean passiveDeclares();

        /** [qos] prefetch_count. */
        @WithDefault("10")
        int prefetchCount();

        /** publish_exchange. */
        @WithDefault("amq.topic")
        String publishExchange();

        /** publish_priority; empty: none (broker treats it as 0). */
        Optional<Integer> publishPriority();

        @WithDefault("30s")
        Duration confirmTimeout();

        /** [client_properties] app. */
        @WithDefault("fedimg bridge-fedmsg")
        String appName();

        @WithDefault("5s")
        Duration reconnectDelay();

        interface Tls {
            /** ca_cert: PEM bundle of CAs trusted for the broker. */
            Optional<String> caCert();

            /** certfile: PEM client certificate; with keyfile, SASL EXTERNAL is used. */
            Optional<String> certfile();

            /** keyfile: PEM private key (PKCS#1 or PKCS#8). */
            Optional<String> keyfile();
        }
    }

    interface Fedmsg {
        Subscribe subscribe();

        Validation validation();

        Publish publish();

        interface Subscribe {
            @WithDefault("false")
            boolean enabled();

            /** ZeroMQ endpoints to connect the SUB socket to, e.g. tcp://hub.fedoraproject.org:9940. */
            Optional<List<String>> endpoints();

            /** SUBSCRIBE prefixes; byte-prefix match on the topic frame. */
            @WithDefault("org.fedoraproject.prod.pungi.compose.status.change")
            List<String> topicPrefixes();

            /** How long a fedmsg message (which has no redelivery) is retried on transient failures. */
            @WithDefault("10m")
            Duration retryDeadline();
        }

        interface Validation {
            /** validate_signatures: on by default (production); tests and local mode switch it off. */
            @WithDefault("true")
            boolean enabled();

            /** ca_cert_location: PEM file with the fedmsg CA(s). */
            Optional<String> caCert();

            /** crl_location: PEM or DER CRL issued by the CA. */
            Optional<String> crl();

            /** routing_policy: topic → list of certificate CNs allowed to send it. */
            Map<String, List<String>> routingPolicy();

            /** routing_nitpicky: reject topics that have no routing_policy entry. */
            @WithDefault("false")
            boolean routingNitpicky();

            /** Check certificate validity dates (off only for replaying old archives). */
            @WithDefault("true")
            boolean checkValidityDates();
        }

        interface Publish {
            @WithDefault("false")
            boolean enabled();

            /** PUB endpoint; bound unless {@link #connect()} (active mode towards a fedmsg-relay's inbound). */
            @WithDefault("tcp://*:9940")
            String endpoint();

            @WithDefault("false")
            boolean connect();

            /** Envelope username. */
            @WithDefault("fedimg")
            String username();

            /** sign_messages: sign with certfile/keyfile (x509, RSA PKCS#1 v1.5 SHA-1). */
            @WithDefault("false")
            boolean sign();

            Optional<String> certfile();

            Optional<String> keyfile();
        }
    }

    interface Outbound {
        /** Consume fedimg.status / fedimg.amis.published and publish on the buses. */
        @WithDefault("true")
        boolean enabled();

        /** PROGRESS states are not bus messages; set true to publish them as image.upload status "progress". */
        @WithDefault("false")
        boolean publishProgress();

        /** fedmsg modname of the original messages. */
        @WithDefault("fedimg")
        String modname();

        /**
         * The longest pause between two attempts of a bus publish. A publish is never given up: while the bus is
         * down the message waits (readiness and {@code fedimg.bridge.bus.waiting} show it) and the Kafka record
         * behind it stays unacked.
         */
        @WithDefault("30s")
        Duration retryMaxBackoff();

        Successor successor();

        interface Successor {
            @WithDefault("true")
            boolean enabled();

            /** The AMI variant whose ids fill {@code regions} (public, unencrypted). */
            @WithName("variant")
            @WithDefault("hvm-gp3")
            String variant();

            /** release number sent for non-numeric releases (Rawhide); empty: no successor message for them. */
            Optional<Integer> rawhideRelease();
        }
    }

    interface Trigger {
        /**
         * Bearer token required by the trigger endpoint. Without it (and without required client certificates,
         * {@code quarkus.http.ssl.client-auth=required}) the trigger is off, unless {@link #open()}.
         */
        Optional<String> token();

        /** Serve the trigger without authentication: local mode only, with the HTTP port on loopback. */
        @WithDefault("false")
        boolean open();

        /** Trigger requests accepted per minute, all callers together (a token bucket); beyond: 429. */
        @WithDefault("30")
        int requestsPerMinute();
    }
}
