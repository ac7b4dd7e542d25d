package org.fedoraproject.fedimg.uploader.job;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;

import org.fedoraproject.fedimg.aws.AmiNames;
import org.fedoraproject.fedimg.errors.BadInputException;
import org.fedoraproject.fedimg.events.DeadLetterReason;
import org.fedoraproject.fedimg.sources.TrustedHttp;
import org.fedoraproject.fedimg.aws.AwsTags;
import org.fedoraproject.fedimg.aws.ClientTokens;
import org.fedoraproject.fedimg.aws.support.Ec2Tags;
import org.fedoraproject.fedimg.events.ImageReady;
import org.fedoraproject.fedimg.events.ImageSpec;
import org.fedoraproject.fedimg.uploader.aws.EbsDirectEngine;
import org.fedoraproject.fedimg.uploader.aws.SnapshotLookup;
import org.fedoraproject.fedimg.uploader.aws.UtilityInstanceEngine;
import org.fedoraproject.fedimg.uploader.aws.VerifiedSnapshotTags;
import org.fedoraproject.fedimg.uploader.aws.Waits;
import org.fedoraproject.fedimg.uploader.config.UploaderConfig;
import org.fedoraproject.fedimg.uploader.domain.VolumeSizes;
import org.fedoraproject.fedimg.uploader.download.ImageTail;
import org.fedoraproject.fedimg.uploader.download.VerifiedDownload;
import org.fedoraproject.fedimg.uploader.metrics.UploadProgress;
import org.fedoraproject.fedimg.uploader.xz.ParallelXzInputStream;
import org.fedoraproject.fedimg.uploader.xz.XzFormatException;
import org.jboss.logging.Logger;

import io.smallrye.mutiny.Uni;
import software.amazon.awssdk.services.ec2.model.Snapshot;
import software.amazon.awssdk.services.ec2.model.SnapshotState;

/**
 * Step 3 of an upload: a completed snapshot holding the verified, decompressed image in the base region.
 * Looks up first: a completed snapshot tagged verified is reused, a verified one still completing is waited
 * for, an unverified one left by a crash is resumed (same StartSnapshot token); only then is the configured
 * method run.
 */
final class ImageSnapshots {

    private static final Logger LOG = Logger.getLogger(ImageSnapshots.class);

    record Result(String snapshotId, int volumeSizeGib, boolean reused) {
    }

    private final UploaderConfig config;
    private final SnapshotLookup lookup;
    private final Waits waits;
    private final EbsDirectEngine ebsDirect;
    private final UtilityInstanceEngine utility;
    private final TrustedHttp http;
    private final ImageTail tail;
    private final Executor blockingIo;
    private final ScheduledExecutorService watchdogs;
    private final VerifiedSnapshotTags verifiedTags;

    ImageSnapshots(UploaderConfig config, SnapshotLookup lookup, Waits waits, EbsDirectEngine ebsDirect,
            UtilityInstanceEngine utility, TrustedHttp http, Executor blockingIo, ScheduledExecutorService watchdogs,
            VerifiedSnapshotTags verifiedTags) {
        this.config = config;
        this.lookup = lookup;
        this.waits = waits;
        this.ebsDirect = ebsDirect;
        this.utility = utility;
        this.http = http;
        this.tail = new ImageTail(http, config.download().connectTimeout().multipliedBy(4));
        this.blockingIo = blockingIo;
        this.watchdogs = watchdogs;
        this.verifiedTags = verifiedTags;
    }

    Uni<Result> ensure(String region, ImageReady in, UploadProgress progress) {
        ImageSpec image = in.image();
        return lookup.find(region, in.imageKey(), image.respin(), SnapshotLookup.PURPOSE_SNAPSHOT).chain(found -> {
            Snapshot done = pick(found, image, SnapshotState.COMPLETED);
            if (done != null) {
                LOG.infof("reusing verified snapshot %s of %s in %s", done.snapshotId(), in.imageKey(), region);
                return Uni.createFrom().item(new Result(done.snapshotId(), done.volumeSize(), true));
            }
            Snapshot completing = pick(found, image, SnapshotState.PENDING);
            if (completing != null) {
                LOG.infof("waiting for verified snapshot %s of %s in %s", completing.snapshotId(), in.imageKey(), region);
                return completeAgain(region, completing)
                        .chain(() -> waits.snapshotCompleted(region, completing.snapshotId()))
                        .map(s -> new Result(s.snapshotId(), s.volumeSize(), true));
            }
            // snapshots that can never be completed (error, or completed without our verification) change the token,
            // so StartSnapshot does not hand them back; a pending unverified one keeps it and is written again
            List<String> dead = found.stream()
                    .filter(s -> s.state() != SnapshotState.PENDING)
                    .map(Snapshot::snapshotId).sorted(Comparator.naturalOrder()).toList();
            return write(region, in, progress, dead).chain(id -> waits.snapshotCompleted(region, id))
                    .map(s -> new Result(s.snapshotId(), s.volumeSize(), false));
        });
    }

    private Uni<String> write(String region, ImageReady in, UploadProgress progress, List<String> dead) {
        return volumeSizeGib(in.image()).chain(volume -> write(region, in, progress, dead, volume));
    }

    private Uni<String> write(String region, ImageReady in, UploadProgress progress, List<String> dead, int volume) {
        ImageSpec image = in.image();
        Map<String, String> tags = snapshotTags(in, false);
        if (config.method() == UploaderConfig.Method.UTILITY_INSTANCE) {
            Map<String, String> snapshotTags = snapshotTags(in, true);
            return utility.write(new UtilityInstanceEngine.Job(region, in.imageKey(), image, volume,
                    AwsTags.forImage(in.imageKey(), in.composeId(), image, UtilityInstanceEngine.PURPOSE_INSTANCE),
                    AwsTags.forImage(in.imageKey(), in.composeId(), image, UtilityInstanceEngine.PURPOSE_VOLUME),
                    snapshotTags));
        }
        // the volume size is part of the request, so it is part of the token: StartSnapshot refuses a token
        // reused with other parameters
        String token = ClientTokens.of(in.imageKey(), String.valueOf(image.respin()), "ebs-direct", region,
                String.valueOf(volume), String.join(",", dead));
        EbsDirectEngine.Target target = new EbsDirectEngine.Target(region, token, volume,
                config.ebs().snapshotTimeoutMinutes(), tags, "fedimg " + image.fileName());
        return ebsDirect.write(target, source(image, progress), progress,
                w -> verifiedTags.mark(region, w.snapshotId(), w.completion()))
                .map(EbsDirectEngine.Written::snapshotId);
    }

    /**
     * The configured volume size, or more when the image needs it: its uncompressed size comes from the xz
     * index at the end of the file, rounded up to whole GiB.
     */
    private Uni<Integer> volumeSizeGib(ImageSpec image) {
        int configured = config.ebs().volumeSizeGib();
        return Uni.createFrom().item(() -> tail.uncompressedSize(URI.create(image.url()), image.sizeBytes()))
                .runSubscriptionOn(blockingIo)
                .map(size -> {
                    int needed = size.isPresent() ? VolumeSizes.gibFor(size.getAsLong()) : 0;
                    if (needed > config.ebs().maxVolumeSizeGib()) {
                        throw new BadInputException(DeadLetterReason.IMAGE_TOO_LARGE, image.fileName() + "'s xz index "
                                + "declares " + size.getAsLong() + " bytes (" + needed + " GiB), more than "
                                + "fedimg.uploader.ebs.max-volume-size-gib (" + config.ebs().maxVolumeSizeGib() + ")");
                    }
                    if (needed > configured) {
                        LOG.infof("%s holds %d bytes: the snapshot gets %d GiB instead of the configured %d",
                                image.fileName(), size.getAsLong(), needed, configured);
                    }
                    return Math.max(configured, needed);
                });
    }

    /** The image's uncompressed size from the xz index at the end of the file, when the server tells it. */
    Uni<java.util.OptionalLong> uncompressedSize(ImageSpec image) {
        return Uni.createFrom().item(() -> tail.uncompressedSize(URI.create(image.url()), image.sizeBytes()))
                .runSubscriptionOn(blockingIo);
    }

    /**
     * A crash between tagging a snapshot verified and CompleteSnapshot leaves it pending for good: send
     * CompleteSnapshot again with the arguments kept on it. Snapshots of the utility instance, and ebs-direct
     * ones already completing, have nothing to do here or answer with their status.
     */
    private Uni<Void> completeAgain(String region, Snapshot s) {
        return VerifiedSnapshotTags.completion(s).map(c -> ebsDirect.complete(region, s.snapshotId(), c))
                .orElseGet(() -> Uni.createFrom().voidItem());
    }

    Map<String, String> snapshotTags(ImageReady in, boolean verified) {
        Map<String, String> tags = AwsTags.forImage(in.imageKey(), in.composeId(), in.image(),
                SnapshotLookup.PURPOSE_SNAPSHOT);
        tags.put(AwsTags.NAME, AmiNames.snapshot(in.image()));
        if (verified) {
            tags.put(VerifiedSnapshotTags.VERIFIED, "true");
        }
        return tags;
    }

    private static Snapshot pick(List<Snapshot> found, ImageSpec image, SnapshotState state) {
        return found.stream()
                .filter(s -> s.state() == state)
                .filter(s -> VerifiedSnapshotTags.verified(s)
                        && image.sha256().equalsIgnoreCase(Ec2Tags.value(s.tags(), AwsTags.SHA256)))
                .findFirst().orElse(null);
    }

    /** The download, verified while it streams, decompressed block-parallel (also what a bundle is made from). */
    EbsDirectEngine.Source source(ImageSpec image, UploadProgress progress) {
        UploaderConfig.Download d = config.download();
        VerifiedDownload download = new VerifiedDownload(http, URI.create(image.url()), image.sizeBytes(),
                image.sha256(), new VerifiedDownload.Settings(d.stallTimeout(), d.maxResumes(), d.resumeBackoff()),
                watchdogs, progress::read);
        int threads = config.xz().threads() > 0 ? config.xz().threads() : Runtime.getRuntime().availableProcessors();
        return new EbsDirectEngine.Source() {
            @Override
            public InputStream image() throws IOException {
                return new ChecksumFirst(download, ParallelXzInputStream.open(download, threads,
                        config.xz().bufferPerThreadMib(), config.xz().decoder()));
            }

            @Override
            public void verifyComplete() throws IOException {
                download.verifyToEnd();
                download.close();
            }
        };
    }

    /**
     * When decompression fails, a damaged download is the likelier cause: read the rest and let a size or
     * checksum mismatch win over the xz error, so the dead letter says what really went wrong.
     */
    private static final class ChecksumFirst extends InputStream {
        private final VerifiedDownload download;
        private final InputStream xz;

        ChecksumFirst(VerifiedDownload download, InputStream xz) {
            this.download = download;
            this.xz = xz;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                return xz.read(b, off, len);
            } catch (XzFormatException e) {
                xz.close();
                download.verifyToEnd();
                throw e;
            }
        }

        @Override
        public void close() throws IOException {
            xz.close();
            download.close();
        }
    }
}
