package org.fedoraproject.fedimg.uploader.job;

import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.fedoraproject.fedimg.aws.support.AwsClients;
import org.fedoraproject.fedimg.sources.SourcesConfig;
import org.fedoraproject.fedimg.sources.TrustedHttp;
import org.fedoraproject.fedimg.aws.support.AwsErrors;
import org.fedoraproject.fedimg.errors.BadInputException;
import org.fedoraproject.fedimg.errors.EC2UtilityException;
import org.fedoraproject.fedimg.events.AmiRef;
import org.fedoraproject.fedimg.events.AmiVariant;
import org.fedoraproject.fedimg.events.DeadLetterReason;
import org.fedoraproject.fedimg.events.ImageReady;
import org.fedoraproject.fedimg.events.StageStatus;
import org.fedoraproject.fedimg.messaging.DeadLetters;
import org.fedoraproject.fedimg.uploader.aws.EbsDirectEngine;
import org.fedoraproject.fedimg.uploader.aws.ImageRegistrar;
import org.fedoraproject.fedimg.uploader.aws.SnapshotLookup;
import org.fedoraproject.fedimg.uploader.aws.UnfinishedResources;
import org.fedoraproject.fedimg.uploader.aws.UtilityInstanceEngine;
import org.fedoraproject.fedimg.uploader.aws.UtilityScriptFailure;
import org.fedoraproject.fedimg.uploader.aws.VerifiedSnapshotTags;
import org.fedoraproject.fedimg.uploader.aws.Waits;
import org.fedoraproject.fedimg.uploader.config.UploaderConfig;
import org.fedoraproject.fedimg.uploader.domain.AmiMatrix;
import org.fedoraproject.fedimg.uploader.domain.StreamMatrices;
import org.fedoraproject.fedimg.uploader.domain.UploadEvents;
import org.fedoraproject.fedimg.uploader.download.DownloadFailedException;
import org.fedoraproject.fedimg.uploader.messaging.Outbox;
import org.fedoraproject.fedimg.uploader.metrics.UploadMetrics;
import org.fedoraproject.fedimg.uploader.metrics.UploadProgress;
import org.fedoraproject.fedimg.uploader.xz.XzDecoder;
import org.fedoraproject.fedimg.uploader.xz.XzFormatException;
import org.jboss.logging.Logger;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;

/**
 * One image, from {@link ImageReady} to registered AMIs and their events, in the base region; steps 2 to 5 of
 * the README's "Steps of one image" (step 1, parsing, is {@code ImageConsumer}'s):
 * <ol start="2">
 * <li>the AMI matrix ({@link AmiMatrix}) and a STARTED status per variant;</li>
 * <li>the verified snapshot ({@link ImageSnapshots}), with periodic PROGRESS statuses;</li>
 * <li>the AMIs ({@link AmiRegistration});</li>
 * <li>per AMI an AmiRegistered and a COMPLETED status.</li>
 * </ol>
 * Bad input ends in FAILED statuses, a dead letter and the removal of what was written; other errors are
 * retried as a whole job (every step is idempotent) before they end the same way. The returned Uni completes
 * only after every event of the image is acknowledged by the broker, and never fails for the image's own
 * problems, so the caller can ack the input then.
 */
@ApplicationScoped
public class ImageUploader {

    private static final Logger LOG = Logger.getLogger(ImageUploader.class);

    private final UploaderConfig config;
    private final AwsClients aws;
    private final Outbox outbox;
    private final UploadMetrics metrics;
    private final AmiMatrix matrix;
    private final StreamMatrices matrices;
    private final ImageSnapshots snapshots;
    private final AmiRegistration registration;
    private final InstanceStoreBundles bundles;
    private final UnfinishedResources unfinished;
    private final ExecutorService blockingIo;
    private final ScheduledExecutorService watchdogs;
    private final Clock clock = Clock.systemUTC();

    @Inject
    public ImageUploader(UploaderConfig config, SourcesConfig sources, AwsClients aws, Waits waits, Outbox outbox,
            UploadMetrics metrics) {
        this.config = config;
        this.aws = aws;
        this.outbox = outbox;
        this.metrics = metrics;
        AtomicInteger n = new AtomicInteger();
        this.blockingIo = Executors.newCachedThreadPool(r -> daemon(r, "upload-io-" + n.incrementAndGet()));
        this.watchdogs = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "download-watchdog"));
        UploaderConfig.Registration reg = config.registration();
        this.matrix = new AmiMatrix(reg.virtualizationTypes(), reg.volumeTypes(), reg.paravirtualKernelIds(),
                reg.encryption().kmsKeyId(), reg.storageTypes());
        this.matrices = StreamMatrices.from(matrix, config.streams());
        SnapshotLookup lookup = new SnapshotLookup(aws);
        // redirects are followed by TrustedHttp, each hop checked against the compose sources
        TrustedHttp http = new TrustedHttp(sources.client()
                .connectTimeout(config.download().connectTimeout())
                .version(HttpClient.Version.HTTP_1_1)
                .build(), sources.policy());
        EbsDirectEngine ebsDirect = new EbsDirectEngine(aws, blockingIo, config.ebs().blockConcurrency(),
                config.ebs().notFoundWindow());
        UtilityInstanceEngine utility = new UtilityInstanceEngine(aws, waits, config.utility());
        this.snapshots = new ImageSnapshots(config, lookup, waits, ebsDirect, utility, http, blockingIo, watchdogs,
                new VerifiedSnapshotTags(aws, config.ebs().notFoundWindow()));
        ImageRegistrar registrar = new ImageRegistrar(aws, waits, config.ebs().notFoundWindow());
        this.registration = new AmiRegistration(config, matrix, registrar);
        this.bundles = new InstanceStoreBundles(config, aws, matrix, snapshots, registrar, blockingIo, clock);
        this.unfinished = new UnfinishedResources(aws, lookup, waits);
        logDecoder(config.xz().decoder());
    }

    /** Which xz decoder runs matters for throughput (liblzma is about twice as fast), so it is said once. */
    private static void logDecoder(XzDecoder configured) {
        XzDecoder used = configured.resolve();
        if (used == XzDecoder.LIBLZMA) {
            LOG.infof("xz blocks are decoded by liblzma (xz.decoder=%s)", configured.name().toLowerCase());
        } else if (configured == XzDecoder.AUTO) {
            LOG.warnf("xz blocks are decoded by xz-java, about half as fast as liblzma: %s",
                    XzDecoder.liblzmaUnavailableReason());
        } else {
            LOG.info("xz blocks are decoded by xz-java (xz.decoder=java)");
        }
    }

    public String method() {
        return config.method() == UploaderConfig.Method.UTILITY_INSTANCE ? "utility-instance" : "ebs-direct";
    }

    public Uni<Void> upload(ImageReady in, DeadLetters.Input input) {
        String region = aws.baseRegion();
        UploadEvents events = new UploadEvents(in, region, clock);
        Instant started = clock.instant();
        metrics.jobStarted();
        List<AmiVariant> variants;
        try {
            variants = matrices.of(in.image().composeType(), in.image().release()).variants(region, in.image().arch());
            bundles.requireConfigured(variants);
        } catch (BadInputException e) {
            return fail(in, input, events, List.of(), e).eventually(() -> ended(region, "dead-letter", started));
        }
        UploadProgress progress = metrics.progress(region, method());
        Uni<List<AmiRef>> work = Uni.createFrom().deferred(() -> snapshotAndRegister(region, in, variants, progress))
                .onFailure(ImageUploader::worthRetrying).invoke(t -> LOG.warnf("upload of %s failed, the job will run "
                        + "again (every step is idempotent): %s", in.imageKey(), describe(t)))
                .onFailure(ImageUploader::worthRetrying).retry()
                .withBackOff(config.jobRetryBackoff(), config.jobRetryBackoff().multipliedBy(4))
                .atMost(Math.max(0, config.jobAttempts() - 1))
                .ifNoItem().after(config.jobDeadline()).failWith(() -> new TimeoutException(
                        "the upload of " + in.imageKey() + " did not finish within " + config.jobDeadline()));
        return outbox.statuses(variants.stream().map(events::started).toList())
                .chain(() -> withProgressReports(work, events, progress))
                .chain(amis -> Multi.createFrom().iterable(amis)
                        .onItem().transformToUniAndConcatenate(ami -> outbox.registered(events.registered(ami))
                                .chain(() -> outbox.status(events.completed(ami))))
                        .collect().last()
                        .invoke(() -> {
                            Duration took = Duration.between(started, clock.instant());
                            if (progress.bytesWritten() > 0 && !took.isZero()) {
                                metrics.throughput(region, method(), progress.bytesWritten() * 1000.0 / took.toMillis());
                            }
                            LOG.infof("%s: %d AMIs registered in %s in %s", in.imageKey(), amis.size(), region, took);
                            ended(region, "success", started);
                        })
                        .replaceWithVoid())
                .onFailure(ImageUploader::notSinkFailure).recoverWithUni(t -> fail(in, input, events, variants, t)
                        .invoke(() -> ended(region, "dead-letter", started)))
                .onFailure().invoke(t -> ended(region, "broker-failure", started));
    }

    /**
     * EBS variants from the verified snapshot, then instance-store variants from their bundle (a second pass over
     * the download: the two are independent, and each is skipped when a re-run finds it done). The AMIs are
     * listed in the matrix's order.
     */
    private Uni<List<AmiRef>> snapshotAndRegister(String region, ImageReady in, List<AmiVariant> variants,
            UploadProgress progress) {
        List<AmiVariant> ebs = variants.stream().filter(v -> !v.instanceStore()).toList();
        List<AmiVariant> instanceStore = variants.stream().filter(AmiVariant::instanceStore).toList();
        Uni<List<AmiRef>> ebsAmis = ebs.isEmpty() ? Uni.createFrom().item(List.of())
                : snapshotAndRegisterEbs(region, in, ebs, progress);
        return ebsAmis.chain(amis -> {
            Instant t0 = clock.instant();
            return bundles.registerAll(region, in, instanceStore, progress)
                    .invoke(b -> {
                        if (!b.isEmpty()) {
                            metrics.stage("bundle", region, method(), Duration.between(t0, clock.instant()));
                        }
                    })
                    .map(b -> java.util.stream.Stream.concat(amis.stream(), b.stream()).toList());
        });
    }

    private Uni<List<AmiRef>> snapshotAndRegisterEbs(String region, ImageReady in, List<AmiVariant> variants,
            UploadProgress progress) {
        Instant t0 = clock.instant();
        return snapshots.ensure(region, in, progress)
                .invoke(s -> metrics.stage(s.reused() ? "snapshot-reused" : "snapshot", region, method(),
                        Duration.between(t0, clock.instant())))
                .chain(s -> {
                    Instant t1 = clock.instant();
                    return registration.registerAll(region, in, variants, s)
                            .invoke(() -> metrics.stage("register", region, method(), Duration.between(t1, clock.instant())));
                });
    }

    private <T> Uni<T> withProgressReports(Uni<T> work, UploadEvents events, UploadProgress progress) {
        Duration every = config.progressInterval();
        return Uni.createFrom().deferred(() -> {
            Cancellable ticker = Multi.createFrom().ticks().startingAfter(every).every(every)
                    .onOverflow().drop()
                    .onItem().transformToUniAndConcatenate(seq -> outbox.status(events.progress(seq + 1, progress.snapshot()))
                            .onFailure().recoverWithNull())
                    .subscribe().with(x -> {
                    }, t -> LOG.debug("progress reports stopped", t));
            return work.onTermination().invoke(ticker::cancel);
        });
    }

    private Uni<Void> fail(ImageReady in, DeadLetters.Input input, UploadEvents events, List<AmiVariant> variants,
            Throwable failure) {
        Throwable cause = root(failure);
        DeadLetterReason reason = reasonOf(cause);
        String message = describe(cause);
        String console = cause instanceof EC2UtilityException u ? u.consoleExcerpt() : null;
        LOG.errorf("upload of %s failed (%s): %s", in.imageKey(), reason, message);
        metrics.deadLetter(reason.name());
        List<StageStatus> failed = variants.isEmpty() ? List.of(events.failed(null, message, console))
                : variants.stream().map(v -> events.failed(v, message, console)).toList();
        return unfinished.remove(aws.baseRegion(), in.imageKey(), in.image().respin())
                .onFailure().invoke(t -> LOG.warnf("removing what the failed upload of %s left failed: %s (the janitor "
                        + "finds it by tag)", in.imageKey(), t.toString()))
                .onFailure().recoverWithNull()
                .chain(() -> outbox.statuses(failed))
                .chain(() -> outbox.deadLetter(DeadLetters.of(UploadEvents.SERVICE, input).about(in).refused(reason, message)));
    }

    /** Errors that a second run of the whole (idempotent) job may cure: AWS or the network, not the input. */
    static boolean worthRetrying(Throwable t) {
        Throwable c = root(t);
        return !(c instanceof BadInputException || c instanceof XzFormatException || c instanceof EC2UtilityException
                || c instanceof TimeoutException || c instanceof InterruptedException);
    }

    /** Failures of the outbox itself (the broker) must reach the consumer: the input is then not acked. */
    private static boolean notSinkFailure(Throwable t) {
        return !(t instanceof Outbox.BrokerWriteFailed);
    }

    static DeadLetterReason reasonOf(Throwable c) {
        if (c instanceof BadInputException b) {
            return b.reason();
        }
        if (c instanceof XzFormatException x) {
            return x.reason();
        }
        if (c instanceof UtilityScriptFailure u) {
            return u.reason();
        }
        if (c instanceof DownloadFailedException) {
            return DeadLetterReason.DOWNLOAD_FAILED;
        }
        // AWS kept failing past the SDK's and the job's retries, or the deadline passed: the invariant
        // "a verified snapshot and its AMIs" could not be established; an operator replays after fixing it
        return DeadLetterReason.INVARIANT_VIOLATION;
    }

    static Throwable root(Throwable t) {
        Throwable c = t;
        while ((c instanceof CompletionException || c instanceof UncheckedIOException
                || (c instanceof IllegalStateException && c.getCause() instanceof InterruptedException))
                && c.getCause() != null) {
            c = c.getCause();
        }
        return AwsErrors.unwrap(c);
    }

    private static String describe(Throwable t) {
        Throwable c = root(t);
        String code = AwsErrors.code(c);
        String msg = c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage();
        return code != null && !msg.contains(code) ? code + ": " + msg : msg;
    }

    private void ended(String region, String result, Instant started) {
        metrics.jobEnded(region, method(), result, Duration.between(started, clock.instant()));
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    @PreDestroy
    void close() {
        blockingIo.shutdownNow();
        watchdogs.shutdownNow();
    }
}
