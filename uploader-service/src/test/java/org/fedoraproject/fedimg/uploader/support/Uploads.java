package org.fedoraproject.fedimg.uploader.support;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.fedoraproject.fedimg.events.AmiRegistered;
import org.fedoraproject.fedimg.events.DeadLetter;
import org.fedoraproject.fedimg.events.ImageKeys;
import org.fedoraproject.fedimg.events.ImageReady;
import org.fedoraproject.fedimg.events.ImageSpec;
import org.fedoraproject.fedimg.events.StageStatus;
import org.fedoraproject.fedimg.events.Topics;
import org.fedoraproject.fedimg.testing.TopicProbe;

/** Sends image events the way the bridge does and reads what the uploader wrote for one image. */
public final class Uploads {

    private final TopicProbe probe;

    public Uploads(TopicProbe probe) {
        this.probe = probe;
    }

    /** An ImageReady for a file served at {@code url}, in a compose of its own. */
    public static ImageReady event(String url, byte[] xz, String arch) {
        String id = UUID.randomUUID().toString().substring(0, 8);
        String compose = "Fedora-Cloud-41-" + id;
        // like real composes, every compose has its own release number in the file name
        String file = "Fedora-Cloud-Base-AmazonEC2-41-" + id + "." + arch + ".raw.xz";
        ImageSpec image = new ImageSpec(url, file, file.substring(0, file.length() - ".raw.xz".length()),
                TestImages.sha256(xz), xz.length, arch, "41", "production", "Cloud", "Cloud_Base", 0);
        String key = ImageKeys.of(compose, file);
        return new ImageReady(UUID.randomUUID().toString(), key, compose, "trace-" + compose, Instant.now(), image,
                false, "msg-" + compose);
    }

    public static ImageReady withImage(ImageReady e, ImageSpec image) {
        return new ImageReady(e.eventId(), e.imageKey(), e.composeId(), e.traceId(), e.time(), image, e.force(),
                e.sourceMessageId());
    }

    public void send(ImageReady event) {
        probe.send(event, "bridge");
    }

    public List<AmiRegistered> awaitRegistered(ImageReady e, int count, Duration timeout) {
        return TopicProbe.decode(probe.readUntil(Topics.AMIS_REGISTERED, timeout,
                rs -> forImage(TopicProbe.decode(rs, AmiRegistered.class), e).size() >= count), AmiRegistered.class)
                .stream().filter(a -> a.imageKey().equals(e.imageKey())).toList();
    }

    public List<StageStatus> awaitStatuses(ImageReady e, java.util.function.Predicate<List<StageStatus>> done,
            Duration timeout) {
        return TopicProbe.decode(probe.readUntil(Topics.STATUS, timeout,
                rs -> done.test(statusesOf(TopicProbe.decode(rs, StageStatus.class), e))), StageStatus.class)
                .stream().filter(s -> s.imageKey().equals(e.imageKey())).toList();
    }

    public DeadLetter awaitDeadLetter(ImageReady e, Duration timeout) {
        return TopicProbe.decode(probe.readUntil(Topics.DEAD_LETTER, timeout,
                rs -> TopicProbe.decode(rs, DeadLetter.class).stream()
                        .anyMatch(d -> e.imageKey().equals(d.imageKey()))), DeadLetter.class)
                .stream().filter(d -> e.imageKey().equals(d.imageKey())).findFirst().orElseThrow();
    }

    public List<DeadLetter> deadLetters(ImageReady e) {
        return TopicProbe.decode(probe.readAll(Topics.DEAD_LETTER, Duration.ofSeconds(1)), DeadLetter.class).stream()
                .filter(d -> e.imageKey().equals(d.imageKey())).toList();
    }

    public List<AmiRegistered> registered(ImageReady e) {
        return forImage(TopicProbe.decode(probe.readAll(Topics.AMIS_REGISTERED, Duration.ofSeconds(1)),
                AmiRegistered.class), e);
    }

    private static List<AmiRegistered> forImage(List<AmiRegistered> all, ImageReady e) {
        return all.stream().filter(a -> a.imageKey().equals(e.imageKey())).toList();
    }

    private static List<StageStatus> statusesOf(List<StageStatus> all, ImageReady e) {
        return all.stream().filter(s -> s.imageKey().equals(e.imageKey())).toList();
    }
}
