package org.fedoraproject.fedimg.uploader.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.fedoraproject.fedimg.uploader.xz.XzDecoder;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

/** Everything the uploader can be told; AWS access itself is {@code fedimg.aws.*} ({@code AwsConfig}). */
@ConfigMapping(prefix = "fedimg.uploader")
public interface UploaderConfig {

    /** How the image gets into a snapshot. */
    @WithDefault("ebs-direct")
    Method method();

    /**
     * Deadline of one image's whole job (download, snapshot, AMIs, events). Must stay below the channel's
     * {@code throttled.unprocessed-record-max-age.ms}.
     */
    @WithDefault("PT50M")
    Duration jobDeadline();

    /**
     * Images uploading at once in this process. The consumer takes the next record as soon as a slot is free, so the
     * images of one compose upload side by side even when their keys share a partition (handled one record at a time,
     * the second image's upload waited for the whole of the first's); offsets are still committed only below the
     * oldest unfinished record (throttled commits). Uploads of one image stay one after the other.
     */
    @WithDefault("2")
    int maxConcurrentJobs();

    /** Attempts of a whole job on errors that are not bad input (AWS or network trouble beyond SDK retries). */
    @WithDefault("3")
    int jobAttempts();

    @WithDefault("PT10S")
    Duration jobRetryBackoff();

    /** How often a PROGRESS status is emitted while an image uploads. */
    @WithDefault("PT15S")
    Duration progressInterval();

    Download download();

    Xz xz();

    Ebs ebs();

    Waits waits();

    Registration registration();

    Utility utility();

    InstanceStore instanceStore();

    /**
     * Per-stream AMI variants (docs/lifecycle.md, "Per-stream settings"), by stream name as the replicator's streams:
     * a compose of a stream gets its virtualization, volume and storage types, each unset one the registration's.
     * A compose of no stream gets the registration's.
     */
    Map<String, StreamVariants> streams();

    interface StreamVariants {
        /** productmd compose type: nightly, test or production. */
        String composeType();

        /** Only composes of this release (Rawhide, 41); a stream with one wins over one without. */
        Optional<String> release();

        Optional<List<String>> virtualizationTypes();

        Optional<List<String>> volumeTypes();

        Optional<List<String>> storageTypes();
    }

    enum Method {
        EBS_DIRECT, UTILITY_INSTANCE
    }

    interface Download {
        @WithDefault("PT15S")
        Duration connectTimeout();

        /** A body that delivers no byte for this long is cut and resumed with Range. */
        @WithDefault("PT60S")
        Duration stallTimeout();

        /** Reconnects (with Range) after a broken connection or a 5xx, per job attempt. */
        @WithDefault("8")
        int maxResumes();

        @WithDefault("PT1S")
        Duration resumeBackoff();

        /** An image whose compose declares a larger (compressed) file is refused as IMAGE_TOO_LARGE. */
        @WithDefault("8589934592")
        long maxImageBytes();
    }

    interface Xz {
        /** Decoder threads for multi-block files; 0 means one per available processor. */
        @WithDefault("0")
        int threads();

        /** Decoded bytes each decoder thread may hold ahead of the uploader, in MiB (bounds memory). */
        @WithDefault("8")
        int bufferPerThreadMib();

        /** {@code auto} (liblzma when the library loads, else xz-java), {@code liblzma} or {@code java}. */
        @WithDefault("auto")
        XzDecoder decoder();
    }

    interface Ebs {
        /** PutSnapshotBlock calls in flight per image; memory is about this × 512 KiB. */
        @WithDefault("32")
        int blockConcurrency();

        /** StartSnapshot Timeout: an unfinished snapshot goes to {@code error} after this many minutes. */
        @WithDefault("120")
        int snapshotTimeoutMinutes();

        /** How long "snapshot does not exist" right after StartSnapshot is retried (coldsnap: ~2 min). */
        @WithDefault("PT2M")
        Duration notFoundWindow();

        /** Snapshot (volume) size in GiB when the image's decompressed size is not known beforehand. */
        @WithDefault("7")
        int volumeSizeGib();

        /**
         * The largest volume an image may get: an xz index declaring more, a compressed file larger than it, or
         * a stream that decompresses past the volume (an xz bomb) is refused as IMAGE_TOO_LARGE.
         */
        @WithDefault("64")
        int maxVolumeSizeGib();
    }

    /** Each EC2 wait of an upload with its own limits. */
    interface Waits {
        Wait snapshotCompleted();

        Wait imageAvailable();

        Wait volumeAvailable();

        Wait instanceRunning();

        /** A failed upload's utility instances, before their volumes are deleted. */
        Wait instanceTerminated();
    }

    interface Wait {
        @WithDefault("180")
        int maxAttempts();

        @WithDefault("PT5S")
        Duration delay();

        /** Success answers needed one after the other (EC2 is eventually consistent). */
        @WithDefault("1")
        int successesInARow();
    }

    interface Registration {
        /** hvm and/or paravirtual; paravirtual needs {@link #paravirtualKernelIds()} for the region. */
        @WithDefault("hvm")
        List<String> virtualizationTypes();

        @WithDefault("gp3,standard")
        List<String> volumeTypes();

        /**
         * {@code ebs} and/or {@code instance-store}: the latter adds one instance-store AMI per virtualization type,
         * registered from an S3 bundle (issue 22; needs {@link InstanceStore}). Off by default.
         */
        @WithDefault("ebs")
        List<String> storageTypes();

        /** Region → AKI/kernel id for paravirtual AMIs. */
        Map<String, String> paravirtualKernelIds();

        /**
         * AMI names ({@code AmiNames}): {name} {virt} {volume} {encrypted} {respin}, each once. The default is found by
         * the filters consumers use (docs/lifecycle.md, "Names").
         */
        @WithDefault(org.fedoraproject.fedimg.aws.AmiNames.DEFAULT_TEMPLATE)
        String amiNameTemplate();

        @WithDefault("/dev/sda1")
        String rootDeviceName();

        @WithDefault("true")
        boolean enaSupport();

        @WithDefault("true")
        boolean sriovNetSupport();

        @WithDefault("false")
        boolean tpmSupport();

        Encryption encryption();
    }

    interface Encryption {
        /** When set, each unencrypted variant also gets an EBS-encrypted twin with this KMS key. */
        Optional<String> kmsKeyId();

        /** Accounts an encrypted AMI is shared with (it can never be public). */
        Optional<List<String>> shareWithAccounts();
    }

    interface Utility {
        /** Region → utility AMI per architecture, as the original fedimg AMI list. */
        Map<String, ArchAmis> amis();

        @WithName("instance-type")
        ArchInstanceTypes instanceType();

        Optional<String> subnetId();

        Optional<List<String>> securityGroupIds();

        @WithDefault("/dev/sdf")
        String deviceName();

        /** How long the user-data may take to write the image and print its marker. */
        @WithDefault("PT40M")
        Duration markerTimeout();

        @WithDefault("PT5S")
        Duration consolePollInterval();

        /** Console bytes kept in a failed status. */
        @WithDefault("4096")
        int consoleExcerptChars();
    }

    /**
     * Instance-store AMIs (issue 22): the bundle's bucket and how it is made and signed. The files are PEM; the
     * private key is read from its file and never logged.
     */
    interface InstanceStore {
        /** The 12-digit account the AMIs are registered in (the manifest's {@code image/user}). */
        Optional<String> accountId();

        /** The EC2 service's certificate of the partition ({@code cert-ec2.pem} of the AMI tools, or the emulator's). */
        Optional<String> ec2CertificateFile();

        /** The account's X.509 signing certificate, registered with AWS. */
        Optional<String> certificateFile();

        /** Its RSA private key (PKCS#1 or PKCS#8, unencrypted): a secret, kept in a file only its user reads. */
        Optional<String> privateKeyFile();

        /** Bundle buckets are {@code <bucket-prefix>-<account>-<region>}, created when missing. */
        @WithDefault("fedimg-bundles")
        String bucketPrefix();

        /** Parts uploading at once; memory is (this + 1) × part size. */
        @WithDefault("4")
        int partsInFlight();

        /** Bytes per part; the AMI tools cut 10 MiB. */
        @WithDefault("10485760")
        int partSize();

        /** Deflate level (the AMI tools use 9; 1 costs a quarter of the CPU for ~5% more data, ami-bundle README). */
        @WithDefault("1")
        int gzipLevel();
    }

    interface ArchAmis {
        @WithName("x86_64")
        Optional<String> x8664();

        @WithName("aarch64")
        Optional<String> aarch64();
    }

    interface ArchInstanceTypes {
        @WithName("x86_64")
        @WithDefault("c5.large")
        String x8664();

        @WithName("aarch64")
        @WithDefault("c6g.large")
        String aarch64();
    }
}
