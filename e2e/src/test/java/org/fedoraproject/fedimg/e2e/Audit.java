package org.fedoraproject.fedimg.e2e;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

import org.fedoraproject.fedimg.aws.AwsTags;
import org.fedoraproject.fedimg.cli.local.LocalCompose;
import org.fedoraproject.fedimg.emulator.Inspector;
import org.fedoraproject.fedimg.emulator.Views;
import org.fedoraproject.fedimg.events.AmiPublished;
import org.fedoraproject.fedimg.events.AmiRegistered;
import org.fedoraproject.fedimg.events.FedimgEvent;
import org.fedoraproject.fedimg.events.ImageOutcome;
import org.fedoraproject.fedimg.events.ImageReady;
import org.fedoraproject.fedimg.events.ImagePublished;
import org.fedoraproject.fedimg.events.RegionOutcome;
import org.fedoraproject.fedimg.events.StageState;
import org.fedoraproject.fedimg.events.StageStatus;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What a finished run left in EC2, on the topics and on the bus, against the ground truth of the run: the composes
 * it generated (read back as served, {@link ComposeTruth}), the AMI matrix and regions it configured, and the id
 * formulas of docs/events.md ({@link DerivedIds}); never against fedimg's own events or tags. "Every image published
 * exactly once" means: per compose image, configured variant and region one AMI whose snapshot holds that image
 * byte for byte, public with its snapshot; no AMI, snapshot, instance, volume, key pair or security group the
 * expected set does not explain; every public AMI with a PASSED verdict and a compose checksum that matches the
 * image's bytes ({@link InvariantCheck}); every fedimg bus message present under the id the contract derives. The
 * same message under two ids is a duplicate, the same id twice is counted but allowed (receivers deduplicate).
 */
final class Audit {

    static final String BASE_REGION = "us-east-1";

    final List<String> duplicates = new ArrayList<>();
    final List<String> leaks = new ArrayList<>();
    final List<String> missing = new ArrayList<>();
    final List<String> wrong = new ArrayList<>();
    int images;
    int publicAmis;
    int busMessages;
    int busResentSameId;
    int eventsRedelivered;
    int failedCopiesKept;
    int testInstancePeak;
    int testInstancesGaveWay;
    InvariantCheck.Result invariant;

    private final ReliabilityRun run;
    private final Set<String> failingRegions;
    private final String prefix;
    private final List<ComposeTruth.Image> truth;
    private final List<String> variants;
    /** image key and variant slug to the AMI in the base region, from EC2. */
    private final Map<String, String> baseAmis = new HashMap<>();

    private Audit(ReliabilityRun run, Set<String> failingRegions) {
        this.run = run;
        this.failingRegions = failingRegions;
        this.prefix = "org.fedoraproject." + run.environment + ".";
        this.truth = ComposeTruth.readAll(run.composes().stream().map(LocalCompose::location).toList());
        this.variants = run.variants();
    }

    /** @param failingRegions regions where every copy was made to fail: reported FAILED, nothing public there */
    static Audit of(ReliabilityRun run, Set<String> failingRegions) {
        Audit audit = new Audit(run, failingRegions);
        audit.images = audit.truth.size();
        // EC2 as the run left it, read without the run's injected faults
        run.pipeline().emulator().faults().clear();
        try (SnapshotContents contents = new SnapshotContents(run.pipeline().emulator().endpoint(), audit.truth)) {
            audit.composes();
            audit.aggregates();
            audit.ec2(contents);
            audit.invariant(contents);
        }
        audit.events();
        audit.bus();
        audit.catalogue();
        audit.testInstances();
        return audit;
    }

    boolean clean() {
        return duplicates.isEmpty() && leaks.isEmpty() && missing.isEmpty() && wrong.isEmpty();
    }

    List<String> findings() {
        List<String> all = new ArrayList<>();
        duplicates.forEach(d -> all.add("duplicate: " + d));
        leaks.forEach(d -> all.add("leak: " + d));
        missing.forEach(d -> all.add("missing: " + d));
        wrong.forEach(d -> all.add("wrong: " + d));
        return all;
    }

    private List<String> healthyRegions() {
        return E2eConfig.REGIONS.stream().filter(r -> !failingRegions.contains(r)).toList();
    }

    /** The generated composes are good: each lists the checksum and size of the bytes it serves. */
    private void composes() {
        truth.stream().filter(i -> !i.listingMatchesBytes() || i.rawSha256() == null)
                .forEach(i -> wrong.add("compose image " + i.key() + " is not a good image (listed " + i.listedSha256()
                        + ", served " + i.fileSha256() + ")"));
    }

    private void aggregates() {
        Map<String, ImagePublished> latest = run.aggregates();
        ImageOutcome expected = failingRegions.isEmpty() ? ImageOutcome.COMPLETE : ImageOutcome.PARTIAL;
        for (ComposeTruth.Image image : truth) {
            ImagePublished a = latest.get(image.key());
            if (a == null) {
                missing.add("no aggregate (ImagePublished) for " + image.key());
                continue;
            }
            if (a.outcome() != expected) {
                wrong.add(image.key() + " ended " + a.outcome() + " (" + a.reason() + "), expected " + expected);
            }
            for (String variant : variants) {
                for (String region : E2eConfig.REGIONS) {
                    List<ImagePublished.Result> results = a.regions().stream()
                            .filter(r -> r.region().equals(region) && variant.equals(r.variant())).toList();
                    if (results.size() != 1) {
                        wrong.add(image.key() + " " + variant + "@" + region + ": " + results.size() + " results in the aggregate");
                    } else if (failingRegions.contains(region)) {
                        ImagePublished.Result r = results.get(0);
                        if (r.outcome() != RegionOutcome.FAILED || r.reason() == null || r.isPublic()) {
                            wrong.add("failing region not reported: " + image.key() + " " + variant + "@" + region + " " + r);
                        }
                    } else if (results.get(0).outcome() != RegionOutcome.PUBLISHED || !results.get(0).isPublic()) {
                        wrong.add(image.key() + " " + variant + "@" + region + " " + results.get(0));
                    }
                }
            }
        }
    }

    /**
     * Every AMI in every region, told apart by what EC2 says it is (the image its snapshot holds, its virtualization
     * type and root volume type), must be one the composes and the matrix call for, once; the base region first, so
     * each copy's source (as EC2 records it) can be checked against the base AMI of its image and variant.
     */
    private void ec2(SnapshotContents contents) {
        Inspector inspect = run.pipeline().emulator().inspect();
        Set<String> expected = new TreeSet<>();
        truth.forEach(i -> variants.forEach(v -> expected.add(i.key() + " " + v)));
        List<String> regions = new ArrayList<>(E2eConfig.REGIONS);
        regions.remove(BASE_REGION);
        regions.add(0, BASE_REGION);
        Set<String> explained = new HashSet<>();
        for (String region : regions) {
            List<Views.Image> amis = inspect.images(region);
            amis.stream().collect(Collectors.groupingBy(Views.Image::name)).forEach((name, list) -> {
                if (list.size() > 1) {
                    duplicates.add(list.size() + " AMIs named " + name + " in " + region + ": " + describe(list));
                }
            });
            Map<String, List<Views.Image>> byKey = new TreeMap<>();
            for (Views.Image ami : amis) {
                if (failingRegions.contains(region) && ami.state().equals("failed")) {
                    // the replicator keeps the last failed copy: a retry deregisters it (with its snapshots)
                    if (baseAmis.containsValue(ami.sourceImageId())) {
                        failedCopiesKept++;
                        explained.add(ami.imageId());
                    } else {
                        leaks.add("failed AMI " + ami.imageId() + " in " + region + " copies " + ami.sourceImageId()
                                + ", no AMI of the expected set");
                    }
                    continue;
                }
                SnapshotContents.Content content = contents.of(region, ami.rootSnapshotId());
                String key = content.known() ? content.image().key() + " " + variantOf(ami) : null;
                if (key == null || !expected.contains(key)) {
                    leaks.add("AMI " + ami.imageId() + " (" + ami.state() + ") in " + region + " is no image and variant "
                            + "of the composes and matrix: " + (key == null ? "its snapshot " + ami.rootSnapshotId()
                                    + " " + content.problem() : key));
                    continue;
                }
                explained.add(ami.imageId());
                byKey.computeIfAbsent(key, k -> new ArrayList<>()).add(ami);
                String taggedKey = ami.tags().get(AwsTags.IMAGE_KEY) + " " + ami.tags().get(AwsTags.VARIANT);
                if (!taggedKey.equals(key)) {
                    wrong.add("AMI " + ami.imageId() + " in " + region + " holds " + key + " but is tagged " + taggedKey);
                }
            }
            for (String key : expected) {
                List<Views.Image> found = byKey.getOrDefault(key, List.of());
                if (failingRegions.contains(region)) {
                    found.forEach(i -> wrong.add("AMI " + i.imageId() + " (" + i.state() + ") in a failing region: " + key));
                } else if (found.isEmpty()) {
                    missing.add("no AMI for " + key + " in " + region);
                } else if (found.size() > 1) {
                    duplicates.add(found.size() + " AMIs for " + key + " in " + region + ": " + describe(found));
                } else {
                    published(inspect, region, key, found.get(0));
                }
            }
            leaks(inspect, region, amis.stream().filter(i -> explained.contains(i.imageId())).toList());
        }
    }

    /** The one AMI of an image and variant in a healthy region: available, public, its snapshot too; a copy of the base AMI. */
    private void published(Inspector inspect, String region, String key, Views.Image ami) {
        if (region.equals(BASE_REGION)) {
            baseAmis.put(key, ami.imageId());
        } else if (!Objects.equals(ami.sourceImageId(), baseAmis.get(key))) {
            wrong.add("AMI " + ami.imageId() + " in " + region + " is a copy of " + ami.sourceImageId()
                    + ", not of the base AMI " + baseAmis.get(key) + " of " + key);
        }
        Views.Snapshot snap = inspect.snapshot(region, ami.rootSnapshotId()).orElse(null);
        if (!ami.state().equals("available") || !ami.isPublic()) {
            wrong.add("AMI " + ami.imageId() + " " + ami.state() + (ami.isPublic() ? " public" : " private") + ": " + key
                    + " in " + region);
        } else if (snap == null || !snap.createVolumePermissionGroups().contains("all")) {
            wrong.add("snapshot " + ami.rootSnapshotId() + " of " + ami.imageId() + " not public: " + key + " in " + region);
        } else {
            publicAmis++;
        }
    }

    /** The expected set explains only its AMIs, their snapshots and the terminated test instances of its base AMIs. */
    private void leaks(Inspector inspect, String region, List<Views.Image> explained) {
        for (Views.Instance i : inspect.instances(region)) {
            if (!Set.of("terminated", "shutting-down").contains(i.state())) {
                leaks.add("instance " + i.instanceId() + " " + i.state() + " in " + region + " " + i.tags());
            } else if (!baseAmis.containsValue(i.imageId())) {
                leaks.add("instance " + i.instanceId() + " in " + region + " was launched from " + i.imageId()
                        + ", no base AMI of the expected set");
            }
        }
        inspect.volumes(region).forEach(v -> leaks.add("volume " + v.volumeId() + " " + v.state() + " in " + region + " " + v.tags()));
        Set<String> backing = new HashSet<>();
        explained.forEach(i -> i.blockDeviceMappings().forEach(b -> backing.add(b.snapshotId())));
        inspect.snapshots(region).stream().filter(s -> !backing.contains(s.snapshotId())).forEach(s -> leaks.add("snapshot "
                + s.snapshotId() + " " + s.state() + " in " + region + " backs no AMI of the expected set " + s.tags()));
        inspect.keyPairs(region).forEach(k -> leaks.add("key pair " + k.name() + " in " + region));
        inspect.securityGroups(region).stream().filter(g -> !g.isDefault())
                .forEach(g -> leaks.add("security group " + g.groupId() + " " + g.name() + " in " + region));
    }

    /** No public AMI without a PASSED verdict and a compose checksum that matches the image's bytes. */
    private void invariant(SnapshotContents contents) {
        invariant = InvariantCheck.check(run.pipeline().emulator().inspect(), contents, E2eConfig.REGIONS, BASE_REGION,
                run.watcher().seen());
        invariant.violations().forEach(v -> wrong.add("invariant: " + v.region() + " " + v.resourceId() + " " + v.problem()));
    }

    /** The tester's per-region limit held over the whole run, across its replicas and their crashes. */
    private void testInstances() {
        testInstancePeak = run.instances().peak();
        testInstancesGaveWay = run.instances().gaveWay();
        run.instances().peaks().forEach((region, peak) -> {
            if (peak.instances() > ReliabilityRun.TEST_INSTANCE_LIMIT) {
                wrong.add(peak.instances() + " test instances alive at once in " + region + " at " + peak.at() + " "
                        + peak.testedBy() + ", above the tester's limit of " + ReliabilityRun.TEST_INSTANCE_LIMIT);
            }
        });
    }

    /** The variant as EC2 describes the AMI: virtualization type, root volume type, encryption (docs/events.md's slug). */
    private static String variantOf(Views.Image ami) {
        Views.BlockDevice root = ami.blockDeviceMappings().stream().filter(b -> b.deviceName().equals(ami.rootDeviceName()))
                .findFirst().orElse(null);
        if (root == null) {
            return ami.virtualizationType() + "-?";
        }
        return ami.virtualizationType() + "-" + root.volumeType() + (Boolean.TRUE.equals(root.encrypted()) ? "-encrypted" : "");
    }

    private static String describe(List<Views.Image> list) {
        return list.stream().map(i -> i.imageId() + "(" + i.state() + ")").collect(Collectors.joining(", "));
    }

    /** The same fact under two event ids would reach the bus twice under two message ids. */
    private void events() {
        List<FedimgEvent> seen = run.watcher().seen();
        eventsRedelivered = seen.size() - (int) seen.stream().map(FedimgEvent::eventId).distinct().count();
        distinctIds(run.watcher().seen(AmiRegistered.class), r -> r.imageKey() + " " + r.ami().variant().slug(), "AmiRegistered");
        // a failed region is retried when its event is redelivered: each failure is a new result, a success is one
        distinctIds(run.watcher().seen(AmiPublished.class).stream().filter(p -> p.outcome() != RegionOutcome.FAILED).toList(),
                AmiPublished::kafkaKey, "AmiPublished");
        distinctIds(run.watcher().seen(ImagePublished.class), ImagePublished::imageKey, "ImagePublished");
        // the bridge's ImageReady ids come from the compose message the run sent (docs/events.md, "Derived ids")
        Map<String, String> announcedBy = new HashMap<>();
        truth.forEach(i -> announcedBy.put(i.key(), run.messageId(i.composeId())));
        for (ImageReady r : run.watcher().seen(ImageReady.class)) {
            String id = DerivedIds.imageReady(announcedBy.get(r.imageKey()), r.imageKey());
            if (announcedBy.containsKey(r.imageKey()) && !id.equals(r.eventId())) {
                wrong.add("ImageReady of " + r.imageKey() + " has id " + r.eventId() + "; docs/events.md derives " + id);
            }
        }
    }

    private <T extends FedimgEvent> void distinctIds(List<T> events, java.util.function.Function<T, String> fact, String type) {
        events.stream().collect(Collectors.groupingBy(fact, TreeMap::new, Collectors.mapping(FedimgEvent::eventId, Collectors.toSet())))
                .forEach((k, ids) -> {
                    if (ids.size() > 1) {
                        duplicates.add(type + " for " + k + " under " + ids.size() + " event ids");
                    }
                });
    }

    private void bus() {
        List<RabbitBus.Received> received = run.bus().received().stream()
                .filter(m -> m.routingKey().startsWith(prefix)).toList();
        busMessages = received.size();
        Set<String> ids = received.stream().map(RabbitBus.Received::messageId).collect(Collectors.toSet());
        busResentSameId = received.size() - ids.size();

        // every status the bridge turns into a bus message is there, under the id docs/events.md derives from its
        // event; and every fedimg message on the bus carries such an id
        Map<String, StageStatus> statuses = new LinkedHashMap<>();
        run.watcher().seen(StageStatus.class).forEach(s -> statuses.putIfAbsent(s.eventId(), s));
        Set<String> derived = new HashSet<>();
        for (StageStatus s : statuses.values()) {
            String topic = busTopic(s);
            if (topic == null) {
                continue;
            }
            String id = DerivedIds.busMessage(s.eventId(), prefix + "fedimg." + topic);
            derived.add(id);
            if (!ids.contains(id)) {
                missing.add("bus message " + topic + " " + s.state() + " of " + s.imageKey() + " " + s.region()
                        + " (status event " + s.eventId() + ")");
            }
        }
        received.stream().filter(m -> m.routingKey().startsWith(prefix + "fedimg.") && !derived.contains(m.messageId()))
                .forEach(m -> wrong.add("bus message " + logicalKey(m) + " has id " + m.messageId()
                        + ", derived from no status event as docs/events.md says"));

        // one id per message: the same stage, image, region and variant under two ids was sent twice
        Map<String, Set<String>> idsPerMessage = new TreeMap<>();
        for (RabbitBus.Received m : received) {
            idsPerMessage.computeIfAbsent(logicalKey(m), k -> new TreeSet<>()).add(m.messageId());
        }
        idsPerMessage.forEach((k, s) -> {
            if (s.size() > 1) {
                duplicates.add("bus message " + k + " under " + s.size() + " ids");
            }
        });

        // and every stage of every image is there at all, whatever the topics hold
        Set<String> keys = idsPerMessage.keySet();
        for (ComposeTruth.Image image : truth) {
            String name = image.name();
            for (String stage : List.of("image.upload started", "image.upload completed", "image.test started",
                    "image.test completed")) {
                if (keys.stream().noneMatch(k -> k.startsWith(stage + " " + name + " "))) {
                    missing.add("bus message " + stage + " of " + name);
                }
            }
            for (String variant : variants) {
                for (String region : healthyRegions()) {
                    expect(keys, "image.publish completed " + name + " " + region + " " + variant);
                    if (!region.equals(BASE_REGION)) {
                        expect(keys, "image.copy completed " + name + " " + region + " " + variant);
                    }
                }
            }
            successor(received, image);
        }
    }

    private void expect(Set<String> keys, String key) {
        if (!keys.contains(key)) {
            missing.add("bus message " + key);
        }
    }

    /** One successor message per image, under the id docs/events.md derives from the image's aggregate. */
    private void successor(List<RabbitBus.Received> received, ComposeTruth.Image image) {
        List<RabbitBus.Received> mine = received.stream()
                .filter(m -> m.routingKey().contains(".fedora_image_uploader.published.")
                        && image.name().equals(m.body().path("image_name").asText()))
                .toList();
        long distinct = mine.stream().map(RabbitBus.Received::messageId).distinct().count();
        if (distinct != 1) {
            (distinct == 0 ? missing : duplicates).add("successor message of " + image.key() + ": " + distinct + " ids");
            return;
        }
        RabbitBus.Received m = mine.get(0);
        Set<String> derived = run.watcher().seen(ImagePublished.class).stream().filter(a -> a.imageKey().equals(image.key()))
                .map(a -> DerivedIds.busMessage(a.eventId(), m.routingKey())).collect(Collectors.toSet());
        if (!derived.contains(m.messageId())) {
            wrong.add("successor message of " + image.key() + " has id " + m.messageId()
                    + ", derived from none of its aggregates as docs/events.md says");
        }
        Set<String> regions = new TreeSet<>();
        m.body().path("regions").fieldNames().forEachRemaining(regions::add);
        if (!regions.equals(new TreeSet<>(healthyRegions()))) {
            wrong.add("successor message of " + image.key() + " names " + regions);
        }
    }

    /** The replicator's catalogue says which regions failed, per image and variant. */
    private void catalogue() {
        if (failingRegions.isEmpty()) {
            return;
        }
        java.net.URI base = run.pipeline().service("replicator-service").baseUri();
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        for (ComposeTruth.Image image : truth) {
            try {
                String body = http.send(java.net.http.HttpRequest.newBuilder(base.resolve("/images/"
                        + java.net.URLEncoder.encode(image.key(), java.nio.charset.StandardCharsets.UTF_8))).build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString()).body();
                JsonNode view = org.fedoraproject.fedimg.messaging.EventJson.MAPPER.readTree(body);
                for (String variant : variants) {
                    for (String region : failingRegions) {
                        boolean reported = false;
                        for (JsonNode f : view.path("failures")) {
                            reported |= region.equals(f.path("region").asText()) && variant.equals(f.path("variant").asText())
                                    && "FAILED".equals(f.path("outcome").asText());
                        }
                        if (!reported) {
                            wrong.add("catalogue does not report " + variant + "@" + region + " of " + image.key() + " as failed: " + body);
                        }
                    }
                }
            } catch (java.io.IOException ex) {
                wrong.add("catalogue of " + image.key() + " unreadable: " + ex);
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(ex);
            }
        }
    }

    /** The fedimg topic suffix the bridge publishes a status on, or null when it publishes none. */
    private static String busTopic(StageStatus s) {
        boolean encrypted = s.variant() != null && s.variant().encrypted();
        return switch (s.stage()) {
            case UPLOAD -> s.state() == StageState.PROGRESS ? null : "image.upload";
            case TEST -> s.state() == StageState.PROGRESS ? null : "image.test";
            case COPY -> s.state() == StageState.COMPLETED ? "image.copy" : null;
            case PUBLISH -> s.state() == StageState.COMPLETED && !encrypted ? "image.publish" : null;
            case LIFECYCLE -> s.state() == StageState.COMPLETED ? "image.lifecycle" : null;
        };
    }

    /** Topic, status, image, region and variant: what a receiver reads as "the same message". */
    private String logicalKey(RabbitBus.Received m) {
        JsonNode b = m.body();
        String topic = m.routingKey().substring(prefix.length());
        if (topic.startsWith("fedimg.")) {
            topic = topic.substring("fedimg.".length());
            String status = b.has("status") ? b.get("status").asText() : b.has("action") ? b.get("action").asText() : "completed";
            JsonNode extra = b.path("extra");
            String variant = extra.has("virt_type") ? extra.get("virt_type").asText() + "-" + extra.get("vol_type").asText() : "-";
            return topic + " " + status + " " + b.path("image_name").asText() + " " + b.path("destination").asText()
                    + " " + variant;
        }
        return topic + " " + b.path("image_name").asText();
    }
}
