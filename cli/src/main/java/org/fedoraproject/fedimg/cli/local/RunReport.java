package org.fedoraproject.fedimg.cli.local;

import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiPredicate;

import org.fedoraproject.fedimg.events.AmiPublished;
import org.fedoraproject.fedimg.events.AmiTested;
import org.fedoraproject.fedimg.events.DeadLetter;
import org.fedoraproject.fedimg.events.FedimgEvent;
import org.fedoraproject.fedimg.events.ImageOutcome;
import org.fedoraproject.fedimg.events.ImagePublished;
import org.fedoraproject.fedimg.events.ImageReady;
import org.fedoraproject.fedimg.events.StageState;
import org.fedoraproject.fedimg.events.StageStatus;

/**
 * What local mode prints while it runs, for every compose the pipeline sees, until Ctrl-C: each stage and each
 * dead letter as it happens, the successor messages on the bus, and, once every image of a compose is done (published
 * or dead-lettered), the compose's table of region, AMI and whether EC2 says it is public, then each image's test
 * verdicts with the last lines of the test instance's console.
 */
final class RunReport {

    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss");
    static final int CONSOLE_LINES = 8;

    /** One compose: done when every image the bridge emitted is published or dead-lettered. */
    private static final class Compose {
        final Set<String> images = new LinkedHashSet<>();
        final Set<String> finished = new LinkedHashSet<>();
        final List<AmiPublished> regions = new ArrayList<>();
        final List<AmiTested> tests = new ArrayList<>();
        final List<DeadLetter> deadLetters = new ArrayList<>();
        final CompletableFuture<Boolean> done = new CompletableFuture<>();
        final Set<String> madePublic = new LinkedHashSet<>();
        boolean allGood = true;
    }

    private final PrintStream out;
    /** (region, AMI id) → is it public, asked of EC2 itself. */
    private final BiPredicate<String, String> isPublic;
    private final Map<String, Compose> composes = new LinkedHashMap<>();
    private int successorMessages;

    RunReport(PrintStream out, BiPredicate<String, String> isPublic) {
        this.out = out;
        this.isPublic = isPublic;
    }

    /**
     * Completes once the compose is done: true when every image of it was published, false when the bridge
     * dead-lettered it or an image failed.
     */
    synchronized CompletableFuture<Boolean> done(String composeId) {
        return compose(composeId).done;
    }

    /** Whether the bridge has taken the compose: it emitted images or dead-lettered it. */
    synchronized boolean accepted(String composeId) {
        Compose c = composes.get(composeId);
        return c != null && (!c.images.isEmpty() || !c.deadLetters.isEmpty());
    }

    synchronized void event(FedimgEvent e) {
        line(e);
        if (e.composeId() == null) {
            return;
        }
        Compose c = compose(e.composeId());
        if (e instanceof ImageReady r) {
            if (c.done.isDone()) {
                // the compose again (a replay, a forced respin): a new round with a summary of its own
                c = new Compose();
                composes.put(e.composeId(), c);
            }
            c.images.add(r.imageKey());
        } else if (e instanceof AmiTested t) {
            c.tests.add(t);
        } else if (e instanceof AmiPublished p) {
            c.regions.add(p);
        } else if (e instanceof ImagePublished p) {
            c.allGood &= p.outcome() == ImageOutcome.COMPLETE;
            if (p.outcome() == ImageOutcome.COMPLETE || p.outcome() == ImageOutcome.PARTIAL) {
                c.madePublic.add(p.imageKey());
            }
            finish(e.composeId(), c, p.imageKey());
        } else if (e instanceof DeadLetter d) {
            c.deadLetters.add(d);
            c.allGood = false;
            finish(e.composeId(), c, d.imageKey());
        }
    }

    /** A message the bridge published on the bus: the successor's are shown (the fedimg ones repeat the stages). */
    synchronized void busMessage(String topic) {
        if (topic.contains(".fedora_image_uploader.")) {
            successorMessages++;
            print("bus", topic);
            notifyAll();
        }
    }

    /**
     * Waits until the bridge has sent as many successor messages as the compose has public images (it sends them
     * after the images are published), at most {@code timeout}; false if they did not all come.
     */
    synchronized boolean awaitSuccessorMessages(String composeId, Duration timeout) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        int expected = compose(composeId).madePublic.size();
        for (Instant now = Instant.now(); successorMessages < expected && now.isBefore(deadline);
                now = Instant.now()) {
            wait(Math.max(1, Duration.between(now, deadline).toMillis())); // wait(0) would wait for ever
        }
        return successorMessages >= expected;
    }

    private Compose compose(String composeId) {
        return composes.computeIfAbsent(composeId, id -> new Compose());
    }

    private void finish(String composeId, Compose c, String imageKey) {
        if (imageKey != null) {
            c.finished.add(imageKey);
        }
        // a dead letter without images (bad message, no EC2 image) ends the compose too
        boolean done = c.images.isEmpty() ? imageKey == null : c.finished.containsAll(c.images);
        if (done && !c.done.isDone()) {
            summary(composeId, c);
            c.done.complete(c.allGood);
        }
    }

    private void summary(String composeId, Compose c) {
        out.println();
        out.println("== " + composeId + ": " + c.images.size() + " images done, " + c.madePublic.size() + " made public, "
                + c.deadLetters.size() + " dead letters");
        Map<String, AmiPublished> latest = new TreeMap<>();
        c.regions.forEach(r -> latest.put(r.region() + " " + r.image().arch() + " " + r.sourceAmi().variant().slug(), r));
        if (!latest.isEmpty()) {
            out.printf("%-16s %-8s %-20s %-23s %s%n", "REGION", "ARCH", "VARIANT", "AMI", "PUBLIC");
            for (AmiPublished r : latest.values()) {
                out.printf("%-16s %-8s %-20s %-23s %s%s%n", r.region(), r.image().arch(), r.sourceAmi().variant().slug(),
                        r.amiId() == null ? "-" : r.amiId(), r.amiId() != null && isPublic.test(r.region(), r.amiId()) ? "yes" : "no",
                        r.reason() == null ? "" : "  " + r.reason());
            }
        }
        Map<String, AmiTested> tests = new TreeMap<>();
        // a redelivered AMI gets its recorded verdict again, without the console: keep the one that has it
        c.tests.forEach(t -> tests.merge(shortName(t.imageKey()) + " " + t.ami().variant().slug(), t,
                (first, again) -> first.consoleExcerpt() != null ? first : again));
        for (AmiTested t : tests.values()) {
            out.printf("%nTEST %s %s: %s%s in %.1f s on %s%s%n", shortName(t.imageKey()), t.ami().variant().slug(),
                    t.verdict(), t.exitCode() == null ? "" : " (exit " + t.exitCode() + ")", t.durationMillis() / 1000.0,
                    t.testedAmiId() != null ? t.testedAmiId() : t.ami().amiId(), t.reason() == null ? "" : ": " + t.reason());
            List<String> console = lastLines(t.consoleExcerpt(), CONSOLE_LINES);
            out.println(console.isEmpty() ? "  (no console output)" : "  console, last " + console.size() + " lines:");
            console.forEach(l -> out.println("  | " + l));
        }
        c.deadLetters.forEach(d -> out.printf("DEAD LETTER %s %s: %s%n", d.imageKey() == null ? "" : shortName(d.imageKey()),
                d.reasonCode(), d.reason()));
        out.println();
    }

    static List<String> lastLines(String text, int n) {
        if (text == null || text.isBlank()) {
            return List.of();
        }
        List<String> lines = text.strip().lines().toList();
        return lines.subList(Math.max(0, lines.size() - n), lines.size());
    }

    private void line(FedimgEvent e) {
        String what = null;
        if (e instanceof ImageReady r) {
            what = "image ready        " + r.image().url();
        } else if (e instanceof StageStatus s && s.state() != StageState.PROGRESS) {
            what = String.format("%-7s %-9s %-15s %s%s%s", s.stage(), s.state(), s.region() == null ? "" : s.region(),
                    s.variant() == null ? "" : s.variant().slug() + " ", s.amiId() == null ? "" : s.amiId(),
                    s.reason() == null ? "" : "  (" + s.reason() + ")");
        } else if (e instanceof ImagePublished p) {
            what = "image published    " + p.outcome() + (p.reason() == null ? "" : "  (" + p.reason() + ")");
        } else if (e instanceof DeadLetter d) {
            what = "DEAD LETTER        " + d.service() + " " + d.reasonCode() + ": " + d.reason();
        }
        if (what != null) {
            print(e.imageKey() == null ? e.composeId() == null ? "-" : e.composeId() : shortName(e.imageKey()), what);
        }
    }

    private void print(String subject, String what) {
        out.printf("%s  %-52s %s%n", LocalTime.now().truncatedTo(ChronoUnit.SECONDS).format(CLOCK), subject, what);
    }

    /** The image key without its compose: the file name. */
    private static String shortName(String imageKey) {
        return imageKey.substring(imageKey.indexOf('/') + 1);
    }
}
