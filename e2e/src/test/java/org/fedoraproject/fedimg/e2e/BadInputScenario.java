package org.fedoraproject.fedimg.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import org.fedoraproject.fedimg.aws.AwsTags;
import org.fedoraproject.fedimg.cli.local.LocalCompose;
import org.fedoraproject.fedimg.e2e.BadInputs.BadInput;
import org.fedoraproject.fedimg.e2e.BadInputs.Channel;
import org.fedoraproject.fedimg.events.AmiPublished;
import org.fedoraproject.fedimg.events.DeadLetter;
import org.fedoraproject.fedimg.events.FedimgEvent;
import org.fedoraproject.fedimg.events.ImageOutcome;
import org.fedoraproject.fedimg.events.ImagePublished;
import org.fedoraproject.fedimg.events.RegionOutcome;
import org.fedoraproject.fedimg.events.Stage;
import org.fedoraproject.fedimg.events.StageState;
import org.fedoraproject.fedimg.events.StageStatus;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Generated bad input thrown at the running pipeline (seed {@code -Dfedimg.badinput.seed}, else
 * {@code -Dfedimg.reliability.seed}, else fixed): malformed and
 * fuzzed compose messages on AMQP and fedmsg, unsigned and forged fedmsg signatures, broken images.json files
 * and broken xz images; then one good compose. No service may crash or get stuck (the good compose, sent
 * last, is published everywhere), every bad input must end in {@code fedimg.dead-letter} with the reason its
 * class calls for, and nothing of a bad input may be published. Writes {@code 40-bad-input.md}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class BadInputScenario {

    static final String GOOD_RELEASE = "41";

    private HostilePipeline p;
    private List<BadInput> inputs;
    private LocalCompose good;
    private long seed;
    private Duration deadLettered;
    private Duration goodAfterBad;
    private final Map<BadInput, Set<String>> reasons = new LinkedHashMap<>();

    /** How many inputs; {@code classes} is the size of a sample with one input per class. */
    abstract int count(int classes);

    @BeforeAll
    void throwBadInputAtThePipeline() throws Exception {
        p = HostilePipeline.get();
        seed = Long.getLong("fedimg.badinput.seed", Long.getLong("fedimg.reliability.seed", 20261201L));
        BadInputs generator = new BadInputs(new BadInputs.Target(p.topic(), p.served(), p.baseUrl(), p.signedEnvelopes,
                p.fedmsgValidated(), p.redirector, HostilePipeline.BOUNDS), seed);
        inputs = generator.generate(count(generator.classes()));
        awaitFedmsgSubscriber();
        Instant start = Instant.now();
        for (BadInput in : inputs) {
            if (in.channel() == Channel.AMQP) {
                Map<String, Object> headers = new LinkedHashMap<>(in.amqp().headers());
                headers.put("fedimg_e2e_input", in.marker());
                p.bus.publishRaw(p.topic(), in.frames().get(0), in.amqp().contentType(), in.amqp().contentEncoding(),
                        headers);
            } else {
                p.fedmsg.send(in.frames());
            }
        }
        Instant sent = Instant.now();
        good = p.announceGood(GOOD_RELEASE);
        Duration timeout = Duration.ofMinutes(4).plusSeconds(2L * inputs.size());
        p.awaitAggregates(good, timeout);
        goodAfterBad = Duration.between(sent, Instant.now());
        // every input dead-lettered, or no new dead letter for 30 s (the assertions then say which are missing)
        int[] last = {-1};
        Instant[] since = {Instant.now()};
        org.awaitility.Awaitility.await().atMost(timeout).pollInterval(Duration.ofSeconds(2)).until(() -> {
            if (matchAll().values().stream().noneMatch(Set::isEmpty)) {
                return true;
            }
            int now = p.watcher.seen(DeadLetter.class).size();
            if (now != last[0]) {
                last[0] = now;
                since[0] = Instant.now();
            }
            return Duration.between(since[0], Instant.now()).toSeconds() >= 30;
        });
        deadLettered = Duration.between(start, Instant.now());
        // anything a bad input might still cause has had time to show
        Thread.sleep(5000);
        reasons.putAll(matchAll());
    }

    /** fedmsg drops what is sent before the subscriber's connection is up: probe until one is dead-lettered. */
    private void awaitFedmsgSubscriber() {
        int[] n = {0};
        org.awaitility.Awaitility.await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(500)).until(() -> {
            p.fedmsg.send(List.of((p.topic() + ".probe-" + n[0]++).getBytes(StandardCharsets.UTF_8)));
            return p.watcher.seen(DeadLetter.class).stream().anyMatch(d -> payload(d).contains(".probe-"));
        });
    }

    /** The reason codes of the dead letters of each input, found by its marker. */
    private Map<BadInput, Set<String>> matchAll() {
        List<DeadLetter> letters = p.watcher.seen(DeadLetter.class);
        List<String> payloads = letters.stream().map(BadInputScenario::payload).toList();
        Map<BadInput, Set<String>> out = new LinkedHashMap<>();
        for (BadInput in : inputs) {
            Set<String> codes = new TreeSet<>();
            for (int i = 0; i < letters.size(); i++) {
                if (matches(letters.get(i), payloads.get(i), in.marker())) {
                    codes.add(letters.get(i).reasonCode());
                }
            }
            out.put(in, codes);
        }
        return out;
    }

    private static boolean matches(DeadLetter d, String payload, String marker) {
        return marker.equals(d.composeId())
                || d.imageKey() != null && d.imageKey().startsWith(marker + "/")
                || d.originalHeaders() != null && d.originalHeaders().containsValue(marker)
                || payload.contains(marker);
    }

    private static String payload(DeadLetter d) {
        String text = d.originalPayload();
        if (text == null) {
            return "";
        }
        return text.startsWith("base64:")
                ? new String(Base64.getDecoder().decode(text.substring(7)), StandardCharsets.ISO_8859_1) : text;
    }

    @Test
    void everyBadInputIsDeadLetteredWithItsReason() {
        List<String> wrong = new ArrayList<>();
        reasons.forEach((in, got) -> {
            if (!got.equals(Set.of(in.expected().name()))) {
                wrong.add(in.marker() + " (" + in.category() + ": " + in.inputClass() + ", " + in.channel() + "): expected "
                        + in.expected() + ", dead letters " + got);
            }
        });
        assertThat(wrong).as("inputs without exactly their reason (seed %d)", seed).isEmpty();
    }

    @Test
    void aGoodComposeSentAfterTheBadOnesIsPublishedEverywhere() {
        List<ImagePublished> aggregates = p.aggregates(good);
        assertThat(aggregates).hasSize(good.images().size());
        assertThat(aggregates).allSatisfy(a -> assertThat(a.outcome()).as(a.reason()).isEqualTo(ImageOutcome.COMPLETE));
        for (ImagePublished a : aggregates) {
            Set<String> regions = a.regions().stream().filter(r -> r.outcome() == RegionOutcome.PUBLISHED)
                    .map(ImagePublished.Result::region).collect(Collectors.toSet());
            assertThat(regions).as(a.imageKey()).containsExactlyInAnyOrderElementsOf(HostilePipeline.REGIONS);
        }
    }

    @Test
    void nothingOfABadInputIsPublished() {
        Set<String> bad = inputs.stream().map(BadInput::marker).collect(Collectors.toSet());
        List<String> published = new ArrayList<>();
        for (FedimgEvent e : p.watcher.seen()) {
            boolean fromBad = bad.contains(e.composeId());
            boolean allowed = e instanceof DeadLetter || e instanceof org.fedoraproject.fedimg.events.ImageReady
                    || e instanceof StageStatus s && s.stage() == Stage.UPLOAD && s.state() != StageState.COMPLETED;
            if (fromBad && !allowed) {
                published.add(e.getClass().getSimpleName() + " " + e.eventId() + " of " + e.composeId());
            }
        }
        for (RabbitBus.Received m : p.bus.received()) {
            boolean publication = !m.routingKey().endsWith(".fedimg.image.upload");
            if (publication && bad.stream().anyMatch(b -> m.body().toString().contains(b))) {
                published.add("bus message " + m.routingKey() + " " + m.body());
            }
        }
        var ec2 = p.pipeline.emulator().inspect();
        for (String region : HostilePipeline.REGIONS) {
            ec2.images(region).stream().filter(i -> bad.contains(i.tags().get(AwsTags.COMPOSE_ID)))
                    .forEach(i -> published.add("AMI " + i.imageId() + " in " + region + " of " + i.tags().get(AwsTags.COMPOSE_ID)));
            ec2.snapshots(region).stream().filter(s -> bad.contains(s.tags().get(AwsTags.COMPOSE_ID)))
                    .forEach(s -> published.add("snapshot " + s.snapshotId() + " (" + s.state() + ") in " + region + " left by "
                            + s.tags().get(AwsTags.COMPOSE_ID)));
        }
        assertThat(published).as("what bad input left or published").isEmpty();
        assertThat(p.watcher.seen(AmiPublished.class)).isNotEmpty();
    }

    /**
     * No AWS call for a compose the bridge refused: only the uploader calls AWS, and only for an ImageReady, so
     * an input dead-lettered by the bridge alone must have emitted none. Inputs the uploader refuses (the image
     * itself is bad) may have started a snapshot; they must leave no volume, instance or snapshot behind.
     */
    @Test
    void aComposeTheBridgeRefusedNeverReachesAws() {
        Set<String> readyComposes = p.watcher.seen(org.fedoraproject.fedimg.events.ImageReady.class).stream()
                .map(FedimgEvent::composeId).collect(Collectors.toSet());
        List<String> reached = refusedByTheBridge().stream().filter(in -> readyComposes.contains(in.marker()))
                .map(in -> in.marker() + " (" + in.inputClass() + ")").toList();
        assertThat(refusedByTheBridge()).isNotEmpty();
        assertThat(reached).as("inputs refused by the bridge that still emitted an ImageReady").isEmpty();
        Set<String> bad = inputs.stream().map(BadInput::marker).collect(Collectors.toSet());
        var ec2 = p.pipeline.emulator().inspect();
        List<String> left = new ArrayList<>();
        for (String region : HostilePipeline.REGIONS) {
            ec2.volumes(region).stream().filter(v -> bad.contains(v.tags().get(AwsTags.COMPOSE_ID)))
                    .forEach(v -> left.add("volume " + v.volumeId() + " in " + region));
            ec2.instances(region).stream().filter(i -> bad.contains(i.tags().get(AwsTags.COMPOSE_ID)))
                    .filter(i -> !i.state().equals("terminated"))
                    .forEach(i -> left.add("instance " + i.instanceId() + " (" + i.state() + ") in " + region));
        }
        assertThat(left).as("AWS resources a bad input left").isEmpty();
    }

    /** The inputs none of whose dead letters came from the uploader. */
    private List<BadInput> refusedByTheBridge() {
        List<DeadLetter> letters = p.watcher.seen(DeadLetter.class);
        List<String> payloads = letters.stream().map(BadInputScenario::payload).toList();
        List<BadInput> out = new ArrayList<>();
        for (BadInput in : inputs) {
            boolean any = false;
            boolean uploader = false;
            for (int i = 0; i < letters.size(); i++) {
                if (matches(letters.get(i), payloads.get(i), in.marker())) {
                    any = true;
                    uploader |= "uploader".equals(letters.get(i).service());
                }
            }
            if (any && !uploader) {
                out.add(in);
            }
        }
        return out;
    }

    @Test
    void nothingIsFetchedFromOutsideTheAllowList() {
        // the hostile host saw the inputs that name it, and nothing reached its not-allowed name (localhost)
        assertThat(p.redirector.requests()).as("requests to the hostile host").isNotEmpty();
        assertThat(p.redirector.leaks()).as("requests that followed a redirect out of the allow-list").isEmpty();
        // every connection the bridge and the uploader tried went through the recording proxy: only to the suite's
        // compose hosts (the allow-list here is http://127.0.0.1:*/), never to a host an input or a redirect named
        assertThat(p.proxy.targets()).as("connections tried by the bridge and the uploader").isNotEmpty()
                .allSatisfy(t -> assertThat(t).startsWith("127.0.0.1:"));
    }

    @Test
    void everyServiceStaysUpAndHealthy() throws Exception {
        assertThat(p.health()).as("service health after %d bad inputs", inputs.size())
                .allSatisfy((name, health) -> assertThat(health).as(name).isEqualTo("UP"));
    }

    @Test
    void noPublicAmiWithoutAPassedTestAndAMatchingComposeChecksum() {
        InvariantCheck.Result r = p.invariant(List.of());
        assertThat(r.violations()).isEmpty();
        assertThat(r.publicAmis()).isPositive();
    }

    @AfterAll
    void report() throws Exception {
        if (inputs == null) {
            return;
        }
        StringBuilder md = new StringBuilder("## Bad input\n\n");
        md.append(inputs.size()).append(" generated bad inputs (seed ").append(seed).append(", `-Dfedimg.badinput.seed`; ")
                .append("one class per input in turn) thrown at the running pipeline: compose messages on AMQP ")
                .append("(fedora-messaging) and on a fedmsg ZeroMQ PUB socket")
                .append(p.fedmsgValidated() ? " (signatures checked against the fedmsg CA of `../shared`, forged ones made "
                        + "from its 25 signed prod messages)" : " (no `../shared`: no signature inputs, validation off)")
                .append(", images.json files and raw.xz images served by the compose server. Then one good compose (")
                .append(good == null ? "-" : good.images().size()).append(" images, ").append(HostilePipeline.REGIONS.size())
                .append(" regions) on AMQP.\n\n");
        md.append("| category | input class | bus | inputs | expected dead-letter reason | with that reason | otherwise |\n")
                .append("| --- | --- | --- | --- | --- | --- | --- |\n");
        int ok = 0;
        for (Map.Entry<String, List<BadInput>> c : BadInputs.byClass(inputs).entrySet()) {
            List<BadInput> in = c.getValue();
            long right = in.stream().filter(i -> Set.of(i.expected().name()).equals(reasons.get(i))).count();
            ok += (int) right;
            String otherwise = in.stream().filter(i -> !Set.of(i.expected().name()).equals(reasons.get(i)))
                    .map(i -> String.valueOf(reasons.get(i))).distinct().collect(Collectors.joining(", "));
            BadInput first = in.get(0);
            md.append("| ").append(first.category()).append(" | ").append(first.inputClass().replace("|", "\\|"))
                    .append(" | ").append(first.channel() == Channel.AMQP ? "AMQP" : "fedmsg").append(" | ").append(in.size())
                    .append(" | ").append(in.stream().map(i -> i.expected().name()).distinct().collect(Collectors.joining(", ")))
                    .append(" | ").append(right).append(" | ").append(otherwise.isEmpty() ? "" : otherwise).append(" |\n");
        }
        Map<String, String> health = p.health();
        md.append("\n| figure | value |\n| --- | --- |\n");
        md.append("| bad inputs dead-lettered with their reason | ").append(ok).append(" / ").append(inputs.size()).append(" |\n");
        md.append("| time until every bad input was dead-lettered | ").append(seconds(deadLettered)).append(" |\n");
        md.append("| good compose published, after the last bad input was sent | ").append(seconds(goodAfterBad)).append(" |\n");
        md.append("| inputs refused by the bridge (no ImageReady, so no AWS call) | ").append(refusedByTheBridge().size())
                .append(" / ").append(inputs.size()).append(" |\n");
        md.append("| requests to the hostile host / to its not-allowed name (must be 0) | ")
                .append(p.redirector.requests().size()).append(" / ").append(p.redirector.leaks().size()).append(" |\n");
        md.append("| services after the run | ").append(health).append(" |\n");
        InvariantCheck.Result r = p.invariant(List.of());
        md.append("| public AMIs / snapshots checked by the invariant check | ").append(r.publicAmis()).append(" / ")
                .append(r.publicSnapshots()).append(", ").append(r.violations().size()).append(" violations |\n");
        md.append("\nCommand: part of `./mvnw -B -ntp -Preliability -pl e2e -am verify` (`HostileSuiteIT`; ")
                .append("`-Dfedimg.badinput.count`, default 2000; alone: `-Dfedimg.reliability.full=true -Dit.test=HostileSuiteIT`). ")
                .append("Every build runs one input per class (`HostileIT`).\n");
        ReportFragment.injected(ReportFragment.write("40-bad-input.md", md.toString()),
                Map.of("bad input (a dead letter expected)", (long) inputs.size()));
    }

    private static String seconds(Duration d) {
        return d == null ? "-" : d.toSeconds() + " s";
    }
}
