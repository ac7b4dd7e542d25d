package org.fedoraproject.fedimg.bridge.domain;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import org.fedoraproject.fedimg.events.AmiVariant;
import org.fedoraproject.fedimg.events.ImageSpec;
import org.fedoraproject.fedimg.events.StageState;
import org.fedoraproject.fedimg.events.StageStatus;
import org.fedoraproject.fedimg.messaging.EventIds;

/**
 * The original fedimg 2.x bus messages ({@code <prefix>.<env>.fedimg.image.upload|test|copy|publish}),
 * field for field as fedimg's {@code ec2imguploader}/{@code ec2imgpublisher} wrote them, so datagrepper,
 * fedmsg_meta and the websites' AMI list keep working.
 *
 * <p>Which stage states become messages (fedimg never announced more):
 * <ul>
 * <li>UPLOAD and TEST: STARTED, COMPLETED, FAILED as {@code status} started/completed/failed;</li>
 * <li>COPY and PUBLISH: COMPLETED only (fedimg sent them once the copy / publication was done);</li>
 * <li>PROGRESS: never, unless {@code publishProgress} (then image.upload with status "progress");</li>
 * <li>PUBLISH of an encrypted variant: never, it is shared with accounts, not public;</li>
 * <li>LIFECYCLE: COMPLETED, as {@code image.lifecycle} (new: an AMI made private, disabled or deregistered).</li>
 * </ul>
 */
public final class FedimgBusMessages {

    /** fedimg had no fedora-messaging schema; receivers treat this as the base message. */
    public static final String SCHEMA = "base.message";

    private final String topicPrefix;
    private final String environment;
    private final String modname;
    private final boolean publishProgress;

    public FedimgBusMessages(String topicPrefix, String environment, String modname, boolean publishProgress) {
        this.topicPrefix = topicPrefix;
        this.environment = environment;
        this.modname = modname;
        this.publishProgress = publishProgress;
    }

    public Optional<BusMessage> of(StageStatus s) {
        if (s.stage() == null || s.state() == null || s.image() == null) {
            throw new IllegalArgumentException("status without stage, state or image");
        }
        return switch (s.stage()) {
            case UPLOAD -> withStatus(s, "image.upload");
            case TEST -> withStatus(s, "image.test");
            case COPY -> s.state() == StageState.COMPLETED ? Optional.of(copy(s)) : Optional.empty();
            case PUBLISH -> s.state() == StageState.COMPLETED && !encrypted(s.variant()) ? Optional.of(publish(s))
                    : Optional.empty();
            case LIFECYCLE -> s.state() == StageState.COMPLETED ? Optional.of(lifecycle(s)) : Optional.empty();
        };
    }

    public String topic(String suffix) {
        return topicPrefix + "." + environment + "." + modname + "." + suffix;
    }

    private Optional<BusMessage> withStatus(StageStatus s, String suffix) {
        if (s.state() == StageState.PROGRESS && !publishProgress) {
            return Optional.empty();
        }
        ImageSpec image = s.image();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("image_url", image.url());
        body.put("image_name", image.name());
        body.put("destination", s.region());
        body.put("service", "EC2");
        body.put("status", s.state().name().toLowerCase(Locale.ROOT));
        body.put("compose", s.composeId());
        Map<String, Object> extra = extra(s, false);
        if (!extra.isEmpty()) {
            body.put("extra", extra);
        }
        int severity = s.state() == StageState.FAILED ? BusMessage.ERROR : BusMessage.INFO;
        return Optional.of(message(s, suffix, body, severity));
    }

    private BusMessage copy(StageStatus s) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("image_name", s.image().name());
        body.put("destination", s.region());
        body.put("architecture", s.image().ec2Architecture());
        body.put("service", "EC2");
        body.put("compose_id", s.composeId());
        body.put("extra", extra(s, true));
        return message(s, "image.copy", body, BusMessage.INFO);
    }

    private BusMessage publish(StageStatus s) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("image_name", s.image().name());
        // fedimg sent the URL only for the base-region AMI, null for the copies
        body.put("image_url", s.sourceAmiId() == null ? s.image().url() : null);
        body.put("architecture", s.image().ec2Architecture());
        body.put("destination", s.region());
        body.put("service", "EC2");
        body.put("compose", s.composeId());
        body.put("extra", extra(s, false));
        return message(s, "image.publish", body, BusMessage.INFO);
    }

    /**
     * New with this rewrite (fedimg never demoted anything): an AMI made private, disabled or deregistered, with
     * {@code action} (made-private, disabled, deregistered) and the policy's reason.
     */
    private BusMessage lifecycle(StageStatus s) {
        String reason = s.reason() == null ? "" : s.reason();
        int colon = reason.indexOf(": ");
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("image_name", s.image().name());
        body.put("architecture", s.image().ec2Architecture());
        body.put("destination", s.region());
        body.put("service", "EC2");
        body.put("compose", s.composeId());
        body.put("action", colon < 0 ? reason : reason.substring(0, colon));
        body.put("reason", colon < 0 ? null : reason.substring(colon + 2));
        body.put("extra", extra(s, false));
        return message(s, "image.lifecycle", body, BusMessage.INFO);
    }

    private static Map<String, Object> extra(StageStatus s, boolean withSource) {
        Map<String, Object> extra = new LinkedHashMap<>();
        if (s.amiId() != null) {
            extra.put("id", s.amiId());
        }
        AmiVariant v = s.variant();
        if (v != null) {
            extra.put("virt_type", v.virtualizationType());
            extra.put("vol_type", v.volumeType());
            if (v.instanceStore()) {
                // issue 22: vol_type is "instance-store" too; EBS messages stay exactly fedimg's, without the key
                extra.put("storage_type", v.storageType());
            }
        }
        if (withSource && s.sourceAmiId() != null) {
            extra.put("source_image_id", s.sourceAmiId());
        }
        return extra;
    }

    private static boolean encrypted(AmiVariant v) {
        return v != null && v.encrypted();
    }

    private BusMessage message(StageStatus s, String suffix, Map<String, Object> body, int severity) {
        String topic = topic(suffix);
        return new BusMessage(EventIds.derived(s.eventId(), topic), topic, body, SCHEMA, null, severity);
    }
}
