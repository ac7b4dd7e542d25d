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

    /**
     * Retention streams by name (docs/lifecycle.md): which published AMIs stay public, and when the others are made
     * private, disabled and deregistered. An AMI of no stream is never demoted.
     */
    Map<String, StreamConfig> streams();

    @WithName("public-ami-quota")
    PublicAmiQuota publicAmiQuota();

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

        /**
         * Pause between those answers (at most {@code delay}): the copy is available already, the streak only makes
         * sure EC2's endpoints agree; a whole {@code delay} per answer added 2 x 15 s to every region's copy.
         */
        @WithDefault("PT2S")
        Duration confirmDelay();
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

    interface StreamConfig {
        /** productmd compose type: nightly, test or production. */
        String composeType();

        /** Only composes of this release (e.g. Rawhide, 41); a stream with one wins over one without. */
        Optional<String> release();

        /** The newest this many AMIs per (release, arch, variant) stay public. */
        @WithDefault("1")
        int keepPublic();

        /** An AMI older than this is no longer kept public, even if among the newest. */
        Optional<Duration> publicFor();

        /** An AMI no longer kept public is made private once at least this old (from its test). */
        @WithDefault("P0D")
        Duration privateAfter();

        /** A private AMI is disabled once this old (none: never). */
        Optional<Duration> disableAfter();

        /** A private or disabled AMI is deregistered, with its snapshots, once this old (none: never). */
        Optional<Duration> deregisterAfter();

        /** Nothing happens to an AMI launched less than this long ago (LastLaunchedTime). */
        @WithDefault("P14D")
        Duration unlaunchedFor();

        /** Whether the stream's AMIs are ever demoted; default: every compose type but production (releases). */
        Optional<Boolean> demote();

        /**
         * The stream's regions, instead of {@code fedimg.replicator.regions.allow} (the deny list and the base region
         * still apply); unset: the global list, or every enabled region.
         */
        Optional<List<String>> regions();

        /**
         * {@code public} (the default), or {@code shared}: share-only (staging), each AMI shared with
         * {@link #shareWith()} instead of made public, against the AMI sharing quota; the public AMI quota is untouched.
         */
        @WithDefault("public")
        String visibility();

        @WithName("share-with")
        ShareWith shareWith();
    }

    interface ShareWith {
        /** 12-digit account ids: the AMI's launch permission and its snapshots' create-volume permission. */
        Optional<List<String>> accounts();

        /** Organization ARNs (launch permission only: EC2 shares snapshots with accounts alone). */
        Optional<List<String>> organizations();

        /** Organizational unit ARNs (launch permission only). */
        @WithName("organizational-units")
        Optional<List<String>> organizationalUnits();
    }

    interface PublicAmiQuota {
        /** The public AMI quota in every region; unset: read from the Service Quotas API per region. */
        java.util.OptionalLong value();

        /** Per region, over {@code value} and the Service Quotas API. */
        Map<String, Long> regions();

        /** Service Quotas cannot be read and nothing is configured: this (AWS's default) is assumed. */
        @WithDefault("5")
        long fallback();

        /** Demoted AMIs may still count for a while (EC2 is eventually consistent): attempts to make the new one public. */
        @WithDefault("5")
        int attempts();

        @WithDefault("PT2S")
        Duration retryDelay();
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
