package org.fedoraproject.fedimg.replicator.statuspage;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.fedoraproject.fedimg.events.DeadLetter;
import org.fedoraproject.fedimg.events.FedimgEvent;
import org.fedoraproject.fedimg.events.ImageOutcome;
import org.fedoraproject.fedimg.events.ImagePublished;
import org.fedoraproject.fedimg.events.Stage;
import org.fedoraproject.fedimg.events.StageState;
import org.fedoraproject.fedimg.events.StageStatus;

/**
 * What the status page shows, folded from the event stream: images in flight with their current stage,
 * recently finished images with their outcome, and recent dead letters. Pure: no I/O, fed in order.
 */
@jakarta.enterprise.context.ApplicationScoped
public class PipelineView {

    static final int RECENT = 50;

    /** One image as the page shows it. */
    public record ImageRow(String imageKey, String composeId, String name, String arch, Stage stage, StageState state,
            String region, String variant, String note, Instant since, Instant updated, String outcome) {
    }

    public record DeadLetterRow(String service, String reasonCode, String reason, String imageKey, Instant time) {
    }

    /** A lifecycle step on one AMI (made private, disabled, deregistered), newest first. */
    public record LifecycleRow(String name, String region, String amiId, String variant, String step, String reason,
            String service, Instant time) {
    }

    private final Map<String, ImageRow> inFlight = new LinkedHashMap<>();
    private final Deque<ImageRow> recent = new ArrayDeque<>();
    private final Deque<DeadLetterRow> deadLetters = new ArrayDeque<>();
    private final Deque<LifecycleRow> lifecycle = new ArrayDeque<>();

    public synchronized void apply(FedimgEvent event) {
        if (event instanceof StageStatus s) {
            onStatus(s);
        } else if (event instanceof ImagePublished p) {
            finish(p.imageKey(), p.outcome().name(), p.reason(), p.time());
        } else if (event instanceof DeadLetter d) {
            push(deadLetters, new DeadLetterRow(d.service(), d.reasonCode(), d.reason(), d.imageKey(), d.time()));
        }
    }

    private void onStatus(StageStatus s) {
        if (s.stage() == Stage.LIFECYCLE) {
            // a step on an AMI published long ago: its own list, the image is not in flight again
            String reason = s.reason() == null ? "" : s.reason();
            int colon = reason.indexOf(':');
            push(lifecycle, new LifecycleRow(s.image() == null ? s.imageKey() : s.image().name(), s.region(), s.amiId(),
                    s.variant() == null ? null : s.variant().slug(), colon < 0 ? reason : reason.substring(0, colon),
                    colon < 0 ? null : reason.substring(colon + 1).trim(), s.service(), s.time()));
            return;
        }
        if (s.imageKey() == null || recent.stream().anyMatch(r -> r.imageKey().equals(s.imageKey())
                && !s.time().isAfter(r.updated()))) {
            return; // a late or replayed status of an image that is already finished
        }
        ImageRow previous = inFlight.get(s.imageKey());
        Instant since = previous == null ? s.time() : previous.since();
        String note = s.reason();
        if (s.progress() != null) {
            note = String.format("%d MiB read, %d blocks written, %d skipped", s.progress().bytesRead() >> 20,
                    s.progress().blocksWritten(), s.progress().blocksSkipped());
        }
        ImageRow row = new ImageRow(s.imageKey(), s.composeId(), s.image() == null ? s.imageKey() : s.image().name(),
                s.image() == null ? null : s.image().arch(), s.stage(), s.state(), s.region(),
                s.variant() == null ? null : s.variant().slug(), note, since, s.time(), null);
        inFlight.put(s.imageKey(), row);
        // An upload or test failure ends the image: nothing will be copied.
        if (s.state() == StageState.FAILED && (s.stage() == Stage.UPLOAD || s.stage() == Stage.TEST)) {
            finish(s.imageKey(), ImageOutcome.REJECTED.name(), s.reason(), s.time());
        }
    }

    private void finish(String imageKey, String outcome, String reason, Instant time) {
        ImageRow last = inFlight.remove(imageKey);
        ImageRow done = last == null
                ? new ImageRow(imageKey, null, imageKey, null, Stage.PUBLISH, StageState.COMPLETED, null, null, reason,
                        time, time, outcome)
                : new ImageRow(imageKey, last.composeId(), last.name(), last.arch(), last.stage(), last.state(),
                        last.region(), last.variant(), reason, last.since(), time, outcome);
        recent.removeIf(r -> r.imageKey().equals(imageKey));
        push(recent, done);
    }

    private static <T> void push(Deque<T> deque, T item) {
        deque.addFirst(item);
        while (deque.size() > RECENT) {
            deque.removeLast();
        }
    }

    public synchronized List<ImageRow> inFlight() {
        return inFlight.values().stream().sorted(Comparator.comparing(ImageRow::since)).toList();
    }

    public synchronized List<ImageRow> recent() {
        return List.copyOf(recent);
    }

    public synchronized List<LifecycleRow> lifecycle() {
        return List.copyOf(lifecycle);
    }

    public synchronized List<DeadLetterRow> deadLetters() {
        return List.copyOf(deadLetters);
    }
}
