package org.fedoraproject.fedimg.cli.janitor;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.fedoraproject.fedimg.events.AmiPublished;
import org.fedoraproject.fedimg.events.AmiTested;
import org.fedoraproject.fedimg.events.FedimgEvent;
import org.fedoraproject.fedimg.events.ImagePublished;
import org.fedoraproject.fedimg.events.StageState;
import org.fedoraproject.fedimg.events.StageStatus;
import org.fedoraproject.fedimg.events.TestVerdict;

/**
 * What the Kafka topics say about the pipeline: which images are still being worked on, which AMIs
 * passed or failed their test, which AMIs and snapshots were published. Built by {@link KafkaHistory};
 * {@link #notConsulted()} when the janitor runs without Kafka, and then age alone decides.
 */
public final class PipelineState {

    private final boolean consulted;
    private final Map<String, Instant> lastActivity = new HashMap<>();
    /** image key -> (stage/region/variant -> last status), to see a step that started and never ended. */
    private final Map<String, Map<String, StageStatus>> steps = new HashMap<>();
    private final Map<String, TestVerdict> verdicts = new HashMap<>();
    private final Set<String> published = new HashSet<>();
    private long eventsRead;

    private PipelineState(boolean consulted) {
        this.consulted = consulted;
    }

    public static PipelineState notConsulted() {
        return new PipelineState(false);
    }

    public static PipelineState consulted() {
        return new PipelineState(true);
    }

    public boolean isConsulted() {
        return consulted;
    }

    public long eventsRead() {
        return eventsRead;
    }

    /** Applies one event; events may come in any order across topics, the newest time wins per step. */
    public PipelineState add(FedimgEvent event) {
        eventsRead++;
        if (event.imageKey() != null && event.time() != null) {
            lastActivity.merge(event.imageKey(), event.time(), (a, b) -> a.isAfter(b) ? a : b);
        }
        if (event instanceof StageStatus s) {
            step(s);
        } else if (event instanceof AmiTested t) {
            if (t.ami() != null && t.ami().amiId() != null && t.verdict() != null) {
                verdicts.put(t.ami().amiId(), t.verdict());
            }
        } else if (event instanceof AmiPublished p) {
            if (p.amiId() != null && (p.isPublic() || (p.sharedWith() != null && !p.sharedWith().isEmpty()))) {
                published.add(p.amiId());
                if (p.snapshotId() != null) {
                    published.add(p.snapshotId());
                }
            }
        } else if (event instanceof ImagePublished i && i.regions() != null) {
            for (ImagePublished.Result r : i.regions()) {
                if (r.isPublic()) {
                    if (r.amiId() != null) {
                        published.add(r.amiId());
                    }
                    if (r.snapshotId() != null) {
                        published.add(r.snapshotId());
                    }
                }
            }
        }
        return this;
    }

    private void step(StageStatus s) {
        if (s.imageKey() == null || s.stage() == null || s.state() == null || s.time() == null) {
            return;
        }
        String step = s.stage() + "/" + s.region() + "/" + (s.variant() == null ? "" : s.variant().slug());
        steps.computeIfAbsent(s.imageKey(), k -> new HashMap<>())
                .merge(step, s, (old, neu) -> neu.time().isBefore(old.time()) ? old : neu);
    }

    /**
     * Why the image is still in flight, or empty. In flight means: any event of the image within the
     * grace period, or a step whose last status is STARTED/PROGRESS (it never completed or failed) that
     * is younger than {@code stuckAfter}; an older one is a job that died and was never resumed.
     */
    public Optional<String> inFlight(String imageKey, Instant now, Duration grace, Duration stuckAfter) {
        Instant last = lastActivity.get(imageKey);
        if (last != null && last.isAfter(now.minus(grace))) {
            return Optional.of("last pipeline event " + Ages.format(Duration.between(last, now)) + " ago");
        }
        return steps.getOrDefault(imageKey, Map.of()).values().stream()
                .filter(s -> s.state() == StageState.STARTED || s.state() == StageState.PROGRESS)
                .filter(s -> s.time().isAfter(now.minus(stuckAfter)))
                .max((a, b) -> a.time().compareTo(b.time()))
                .map(s -> s.stage() + (s.region() == null ? "" : " in " + s.region()) + " " + s.state()
                        + " " + Ages.format(Duration.between(s.time(), now)) + " ago and never completed or failed");
    }

    public Optional<TestVerdict> verdict(String amiId) {
        return Optional.ofNullable(verdicts.get(amiId));
    }

    /** The AMI or snapshot appears public or shared in a record on {@code fedimg.amis.published}. */
    public boolean published(String id) {
        return published.contains(id);
    }
}
