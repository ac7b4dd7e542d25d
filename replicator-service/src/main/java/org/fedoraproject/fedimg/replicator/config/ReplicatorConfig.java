package org.fedoraproject.fedimg.replicator.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

/** Everything the replicator decides from config; keys are listed in the module README. */
@ConfigMapping(prefix = "fedimg.replicator")
public interface ReplicatorConfig {

    Regions regions();

    Copy copy();

    Encrypted encrypted();

    @WithName("block-public-access")
    BlockPublicAccess blockPublicAccess();

    /** Compose type (production, nightly, test, ...) → how long after the test the AMIs are deprecated. */
    Map<String, Duration> deprecation();

    Jobs jobs();

    @WithName("published-topic")
    PublishedTopic publishedTopic();

    interface Regions {
        /** Only these regions (when set); the base region is always a target. */
        Optional<List<String>> allow();

        /** Never these regions. */
        Optional<List<String>> deny();
    }

    interface Copy {
        /** Regions worked on at the same time, per AMI variant (40: every commercial region in one round). */
        @WithDefault("40")
        int parallelism();

        /** Per-region deadline for copy, wait, publish and deprecation together. */
        @WithDefault("PT45M")
        Duration regionDeadline();

        /** Polling of a copy until it is available: attempts × delay must exceed the longest copy. */
        @WithName("wait")
        Wait waiting();
    }

    interface Wait {
        @WithDefault("PT15S")
        Duration delay();

        @WithDefault("200")
        int maxAttempts();

        /**
         * "available" answers needed one after the other before the copy is made public: right after one
         * endpoint of a region says so, another may still not know the copy (EC2 is eventually consistent).
         */
        @WithDefault("3")
        int successesInARow();
    }

    interface Encrypted {
        /** Region → KMS key id/ARN/alias for the copies of encrypted variants. A region without one fails clearly. */
        Map<String, String> kmsKeys();

        /** Accounts the encrypted AMIs are shared with, in addition to those the event names. */
        Optional<List<String>> shareWithAccounts();
    }

    interface BlockPublicAccess {
        /**
         * Ask EC2 for the image block-public-access state before making anything public. Only for EC2
         * implementations without that API (moto); AWS then refuses a public AMI where it is on, and the region
         * fails on that refusal instead of this check.
         */
        @WithDefault("true")
        boolean check();

        /** Turn image block-public-access off in a region where it is on, instead of failing that region. */
        @WithDefault("false")
        boolean disableWhenOn();

        /** Polling for {@code unblocked} after turning it off (AWS says this can take up to 10 minutes). */
        @WithDefault("PT10S")
        Duration pollDelay();

        @WithDefault("90")
        int maxAttempts();
    }

    interface Jobs {
        /** AmiTested events (one per AMI variant) replicated at the same time by one instance. */
        @WithDefault("4")
        int maxConcurrent();
    }

    interface PublishedTopic {
        /** Create fedimg.amis.published (compacted) at start, or make an existing one compacted. */
        @WithDefault("true")
        boolean manage();

        @WithDefault("8")
        int partitions();

        @WithDefault("1")
        short replicationFactor();

        /** Time allowed to read the topic to its end at start; a read that takes longer logs why and starts over. */
        @WithDefault("2m")
        Duration loadTimeout();
    }
}
