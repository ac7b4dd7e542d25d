package org.fedoraproject.fedimg.tester.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Everything the tester can be told; README.md lists each key with its default and why. */
@ConfigMapping(prefix = "fedimg.tester")
public interface TesterConfig {

    /** The test script, as {@code test} in the original fedimg.cfg. Runs as root under cloud-init (user-data) or is piped to the ssh command. */
    Path scriptPath();

    /**
     * {@code user-data} (default, no inbound network), {@code ssh}, or {@code boot-only}: a test mode for EC2
     * implementations that cannot run a script (moto); the script is not run and booting is the verdict.
     */
    @WithDefault("user-data")
    Transport transport();

    /** {@code all} (default) or {@code one-per-group}: one AMI per (architecture, virtualization type, encryption). */
    @WithDefault("all")
    Selection selection();

    /** In one-per-group mode, which volume type to boot when no sibling has a verdict or a test in flight yet. */
    @WithDefault("gp3,gp2,io2,io1,standard")
    List<String> preferredVolumeTypes();

    /** EC2 architecture (x86_64, arm64) to instance type; application.properties sets t3.small and t4g.small. */
    Map<String, String> instanceTypes();

    /**
     * The type for paravirtual AMIs (EBS or instance-store): a Xen type that runs paravirtual guests and has an
     * instance store (TestInstanceTypes). M3 and C3 are the newest such families.
     */
    @WithDefault("m3.medium")
    String paravirtualInstanceType();

    /** The type for HVM instance-store AMIs (issue 22): a Xen type with an instance store. */
    @WithDefault("m3.medium")
    String instanceStoreInstanceType();

    /** Subnet of the test instance; the default VPC when absent. */
    Optional<String> subnetId();

    /** Security groups of the test instance (the ssh transport adds its temporary one). */
    Optional<List<String>> securityGroupIds();

    Timeouts timeouts();

    /**
     * Jobs (registered AMIs) in flight in this process. The consumer takes the next record as soon as a job slot
     * is free, so the variants of one image, which share a partition, are tested side by side instead of one
     * after the other; offsets are still committed in order (throttled commits). Jobs wait for a region slot
     * while their record ages, so keep throttled.unprocessed-record-max-age.ms above
     * 2 x ceil(this / max-concurrent-per-region) x timeouts.job.
     */
    @WithDefault("4")
    int maxConcurrentJobs();

    /** Test instances at once per region, across every replica (see {@code RegionLimiter}). */
    @WithDefault("4")
    int maxConcurrentPerRegion();

    /** Bound on the outputExcerpt and consoleExcerpt fields, in characters (the tail is kept). */
    @WithDefault("4000")
    int excerptMaxChars();

    Ssh ssh();

    Sweep sweep();

    enum Transport {
        USER_DATA, SSH, BOOT_ONLY;
    }

    enum Selection {
        ALL, ONE_PER_GROUP;
    }

    interface Timeouts {
        /** pending → running. */
        @WithDefault("PT5M")
        Duration running();

        /** running → both status checks ok. */
        @WithDefault("PT10M")
        Duration statusOk();

        /** status ok → the script's end marker (user-data) or the channel's close (ssh). */
        @WithDefault("PT15M")
        Duration script();

        /**
         * How often waiters and the console poll ask EC2. Below AWS's own steps (pending → running takes 10-30 s):
         * each of the three waits of a boot loses half a poll on average (issue 20).
         */
        @WithDefault("PT5S")
        Duration pollInterval();

        /** Right after RegisterImage, DescribeImages may not see the AMI yet: retried for this long. */
        @WithDefault("PT2M")
        Duration amiVisible();

        /** Hard bound on one job; must stay below the channel's throttled.unprocessed-record-max-age.ms. */
        @WithDefault("PT40M")
        Duration job();
    }

    interface Ssh {
        /** Port of the test instance's sshd (tests point it at a local server). */
        @WithDefault("22")
        int port();

        @WithDefault("fedora")
        String user();

        /** Run on the instance with the script on standard input. */
        @WithDefault("sudo -n bash -s")
        String remoteCommand();

        /** The tester's own address as a CIDR for the port-22 rule; discovered through {@code source-address-url} when absent. */
        Optional<String> sourceCidr();

        @WithDefault("https://checkip.amazonaws.com")
        String sourceAddressUrl();

        /** {@code public} (default) or {@code private} address of the instance. */
        @WithDefault("public")
        String addressType();

        /** How long to wait for cloud-init's host key fingerprints on the console before connecting. */
        @WithDefault("PT2M")
        Duration fingerprintWait();

        /** Refuse to connect when the console shows no host key fingerprint (otherwise: accept with a warning). */
        @WithDefault("false")
        boolean requireConsoleFingerprint();

        /** Optional user-data for ssh-mode instances (e.g. packages the script needs). */
        Optional<Path> userDataPath();

        @WithDefault("PT30S")
        Duration connectTimeout();
    }

    interface Sweep {
        @WithDefault("true")
        boolean enabled();

        /** First sweep this long after start, then every {@code interval}. */
        @WithDefault("PT30S")
        Duration initialDelay();

        @WithDefault("PT10M")
        Duration interval();

        /** Regions swept for leftovers; the base region when empty. */
        Optional<List<String>> regions();
    }
}
