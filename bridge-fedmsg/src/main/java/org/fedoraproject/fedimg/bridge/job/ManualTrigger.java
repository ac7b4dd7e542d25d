package org.fedoraproject.fedimg.bridge.job;

import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.fedoraproject.fedimg.bridge.compose.ComposeMetadataClient;
import org.fedoraproject.fedimg.bridge.domain.ComposeStatusChange;
import org.fedoraproject.fedimg.bridge.domain.ImageEvents;
import org.fedoraproject.fedimg.bridge.domain.ReleaseNames;
import org.fedoraproject.fedimg.bridge.messaging.SeenStore;
import org.fedoraproject.fedimg.errors.BadInputException;
import org.fedoraproject.fedimg.events.DeadLetterReason;
import org.fedoraproject.fedimg.events.ImageKeys;
import org.fedoraproject.fedimg.events.ImageReady;
import org.fedoraproject.fedimg.events.ImageSpec;
import org.jboss.logging.Logger;

import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The operator's way in, replacing fedimg's {@code trigger_upload.py}: a compose by id or location, or one
 * image by URL and sha256. Without force, anything already handled is refused as a duplicate; with force
 * the events carry {@code force=true} and the given respin, so the uploader makes new AMIs.
 */
@ApplicationScoped
public class ManualTrigger {

    private static final Logger LOG = Logger.getLogger(ManualTrigger.class);
    private static final Pattern SHA256 = Pattern.compile("^[0-9a-f]{64}$");

    private final InboundPipeline pipeline;
    private final ComposeMetadataClient metadata;
    private final SeenStore seen;
    private final Clock clock = Clock.systemUTC();

    public ManualTrigger(InboundPipeline pipeline, ComposeMetadataClient metadata, SeenStore seen) {
        this.pipeline = pipeline;
        this.metadata = metadata;
        this.seen = seen;
    }

    public record ComposeRequest(String composeId, String location, boolean force, int respin) {
    }

    public record ImageRequest(String url, String sha256, Long sizeBytes, String composeId, String arch,
            String release, String variant, String subvariant, boolean force, int respin) {
    }

    public Uni<InboundOutcome> compose(ComposeRequest r) {
        checkForce(r.force(), r.respin());
        if (blank(r.composeId()) && blank(r.location())) {
            throw new BadInputException(DeadLetterReason.MALFORMED_MESSAGE, "give a compose id or a location");
        }
        if (!blank(r.location())) {
            metadata.sources().check(r.location());
        }
        Uni<String> composeId = !blank(r.composeId()) ? Uni.createFrom().item(r.composeId())
                : metadata.images(r.location()).map(images -> images.composeId());
        return composeId.chain(id -> {
            if (!r.force() && seen.seen("compose:" + id)) {
                return Uni.createFrom().item(InboundOutcome.of(InboundOutcome.Kind.DUPLICATE, "compose " + id
                        + " was handled at " + seen.when("compose:" + id).orElse(null) + "; use force to redo it"));
            }
            String messageId = "trigger:" + UUID.randomUUID();
            LOG.infof("manual trigger %s: compose %s (location %s, force %s, respin %d)", messageId, id,
                    r.location(), r.force(), r.respin());
            ComposeStatusChange change = new ComposeStatusChange(messageId, null, id, "FINISHED",
                    blank(r.location()) ? null : r.location(), ReleaseNames.fromComposeId(id), null);
            return pipeline.processCompose("trigger", change, new ImageEvents.Cause(messageId, r.force(), r.respin()));
        });
    }

    public Uni<InboundOutcome> image(ImageRequest r) {
        checkForce(r.force(), r.respin());
        if (blank(r.url())) {
            throw new BadInputException(DeadLetterReason.MALFORMED_MESSAGE, "give the image's url");
        }
        metadata.sources().check(r.url()); // UNTRUSTED_SOURCE before anything is fetched
        String sha = r.sha256() == null ? "" : r.sha256().toLowerCase();
        if (!SHA256.matcher(sha).matches()) {
            throw new BadInputException(DeadLetterReason.MALFORMED_MESSAGE, "sha256 must be 64 hex digits");
        }
        String fileName = ReleaseNames.lastSegment(r.url());
        if (!fileName.endsWith(".raw.xz")) {
            throw new BadInputException(DeadLetterReason.MALFORMED_MESSAGE, "the image must be a .raw.xz file");
        }
        String composeId = !blank(r.composeId()) ? r.composeId() : composeIdFromUrl(r.url());
        if (composeId == null) {
            throw new BadInputException(DeadLetterReason.MALFORMED_MESSAGE,
                    "no compose id in the URL; give composeId");
        }
        String arch = !blank(r.arch()) ? r.arch() : ReleaseNames.archFromFileName(fileName);
        if (arch == null) {
            throw new BadInputException(DeadLetterReason.MALFORMED_MESSAGE, "no arch in the file name; give arch");
        }
        String release = Stream.of(r.release(), ReleaseNames.releaseFromFileName(fileName),
                ReleaseNames.fromComposeId(composeId)).filter(s -> !blank(s)).findFirst().orElse(null);
        String imageKey = ImageKeys.of(composeId, fileName);
        if (!r.force() && seen.seen("image:" + imageKey)) {
            return Uni.createFrom().item(InboundOutcome.of(InboundOutcome.Kind.DUPLICATE, "image " + imageKey
                    + " was handled at " + seen.when("image:" + imageKey).orElse(null) + "; use force to redo it"));
        }
        Uni<Long> size = r.sizeBytes() != null && r.sizeBytes() > 0 ? Uni.createFrom().item(r.sizeBytes())
                : metadata.contentLength(r.url());
        return size.chain(bytes -> {
            if (bytes == null || bytes <= 0) {
                throw new BadInputException(DeadLetterReason.MALFORMED_MESSAGE,
                        "the server gives no size for the image; give sizeBytes");
            }
            String messageId = "trigger:" + UUID.randomUUID();
            ImageSpec spec = new ImageSpec(r.url(), fileName, ReleaseNames.imageName(fileName), sha, bytes, arch,
                    release, ReleaseNames.composeTypeFromId(composeId), blank(r.variant()) ? "Cloud" : r.variant(),
                    blank(r.subvariant()) ? "Cloud_Base" : r.subvariant(), r.respin());
            ImageEvents.Cause cause = new ImageEvents.Cause(messageId, r.force(), r.respin());
            ImageReady event = ImageEvents.event(cause, composeId, ImageEvents.traceId(messageId, composeId), spec,
                    clock.instant());
            LOG.infof("manual trigger %s: image %s (force %s, respin %d)", messageId, imageKey, r.force(), r.respin());
            return pipeline.emit("trigger", List.of(event), Stream.of("message:" + messageId), messageId, null);
        });
    }

    private static void checkForce(boolean force, int respin) {
        if (respin < 0 || (respin > 0 && !force)) {
            throw new BadInputException(DeadLetterReason.MALFORMED_MESSAGE,
                    "a respin (> 0) is only for forced re-uploads; respin " + respin);
        }
    }

    private static String composeIdFromUrl(String url) {
        return Arrays.stream(url.split("/")).filter(ReleaseNames::isComposeId).reduce((a, b) -> b).orElse(null);
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
