package org.fedoraproject.fedimg.e2e;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

import org.fedoraproject.fedimg.aws.AwsTags;
import org.fedoraproject.fedimg.emulator.Inspector;
import org.fedoraproject.fedimg.emulator.Views;
import org.fedoraproject.fedimg.events.AmiPublished;
import org.fedoraproject.fedimg.events.AmiRegistered;
import org.fedoraproject.fedimg.events.FedimgEvent;
import org.fedoraproject.fedimg.events.ImageOutcome;
import org.fedoraproject.fedimg.events.ImagePublished;
import org.fedoraproject.fedimg.events.RegionOutcome;
import org.fedoraproject.fedimg.events.StageState;
import org.fedoraproject.fedimg.events.StageStatus;
import org.fedoraproject.fedimg.messaging.EventIds;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What a finished run left in EC2, on the topics and on the bus, against what "every image published exactly
 * once" means: one AMI per image, variant and region (public, its snapshot too), nothing else alive, every
 * fedimg bus message present. The bridge promises each bus message one id derived from the event that caused
 * it (re-sent after a crash with that same id, which receivers deduplicate on): the same message under two
 * ids is a duplicate, the same id twice is counted but allowed.
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

    private final ReliabilityRun run;
    private final Set<String> failingRegions;
    private final String prefix;

    private Audit(ReliabilityRun run, Set<String> failingRegions) {
        this.run = run;
        this.failingRegions = failingRegions;
        this.prefix = "org.fedoraproject." + run.environment + ".";
    }

    /** @param failingRegions regions where every copy was made to fail: reported FAILED, nothing public there */
    static Audit of(ReliabilityRun run, Set<String> failingRegions) {
        Audit audit = new Audit(run, failingRegions);
        Map<String, Set<String>> variants = audit.variantsPerImage();
        audit.images = variants.size();
        audit.aggregates(variants);
        audit.ec2(variants);
        audit.events();
        audit.bus(variants);
        audit.catalogue(variants);
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

    private Map<String, Set<String>> variantsPerImage() {
        Map<String, Set<String>> variants = new TreeMap<>();
        run.imageKeys().forEach(k -> variants.put(k, new TreeSet<>()));
        for (AmiRegistered r : run.watcher().seen(AmiRegistered.class)) {
            variants.computeIfAbsent(r.imageKey(), k -> new TreeSet<>()).add(r.ami().variant().slug());
        }
        variants.forEach((k, v) -> {
            if (v.isEmpty()) {
                missing.add("no AMI registered for " + k);
            }
        });
        return variants;
    }

    private List<String> healthyRegions() {
        return E2eConfig.REGIONS.stream().filter(r -> !failingRegions.contains(r)).toList();
    }

    private void aggregates(Map<String, Set<String>> variants) {
        Map<String, ImagePublished> latest = run.aggregates();
        ImageOutcome expected = failingRegions.isEmpty() ? ImageOutcome.COMPLETE : ImageOutcome.PARTIAL;
        for (var e : variants.entrySet()) {
            ImagePublished a = latest.get(e.getKey());
            if (a == null) {
                missing.add("no aggregate (ImagePublished) for " + e.getKey());
                continue;
            }
            if (a.outcome() != expected) {
                wrong.add(e.getKey() + " ended " + a.outcome() + " (" + a.reason() + "), expected " + expected);
            }
            for (String variant : e.getValue()) {
                for (String region : E2eConfig.REGIONS) {
                    List<ImagePublished.Result> results = a.regions().stream()
                            .filter(r -> r.region().equals(region) && variant.equals(r.variant())).toList();
                    if (results.size() != 1) {
                        wrong.add(e.getKey() + " " + variant + "@" + region + ": " + results.size() + " results in the aggregate");
                    } else if (failingRegions.contains(region)) {
                        ImagePublished.Result r = results.get(0);
                        if (r.outcome() != RegionOutcome.FAILED || r.reason() == null || r.isPublic()) {
                            wrong.add("failing region not reported: " + e.getKey() + " " + variant + "@" + region + " " + r);
                        }
                    } else if (results.get(0).outcome() != RegionOutcome.PUBLISHED || !results.get(0).isPublic()) {
                        wrong.add(e.getKey() + " " + variant + "@" + region + " " + results.get(0));
                    }
                }
            }
        }
    }

    private void ec2(Map<String, Set<String>> variants) {
        Inspector inspect = run.pipeline().emulator().inspect();
        for (String region : E2eConfig.REGIONS) {
            List<Views.Image> amis = inspect.images(region);
            Map<String, List<Views.Image>> byJob = amis.stream().collect(Collectors.groupingBy(
                    i -> i.tags().containsKey(AwsTags.IMAGE_KEY)
                            ? i.tags().get(AwsTags.IMAGE_KEY) + "#" + i.tags().get(AwsTags.VARIANT) : "name:" + i.name(),
                    TreeMap::new, Collectors.toList()));
            byJob.forEach((job, list) -> {
                if (list.size() > 1) {
                    duplicates.add(list.size() + " AMIs for " + job + " in " + region + ": " + describe(list));
                }
            });
            amis.stream().collect(Collectors.groupingBy(Views.Image::name)).forEach((name, list) -> {
                if (list.size() > 1) {
                    duplicates.add(list.size() + " AMIs named " + name + " in " + region + ": " + describe(list));
                }
            });
            Map<String, Views.Snapshot> snapshots = inspect.snapshots(region).stream()
                    .collect(Collectors.toMap(Views.Snapshot::snapshotId, s -> s));
            for (var e : variants.entrySet()) {
                for (String variant : e.getValue()) {
                    List<Views.Image> found = byJob.getOrDefault(e.getKey() + "#" + variant, List.of());
                    String what = e.getKey() + " " + variant + " in " + region;
                    if (failingRegions.contains(region)) {
                        found.stream().filter(i -> !i.state().equals("failed"))
                                .forEach(i -> wrong.add("AMI " + i.imageId() + " (" + i.state() + ") in a failing region: " + what));
                        // the replicator keeps the last failed copy: a retry deregisters it (with its snapshots)
                        failedCopiesKept += (int) found.stream().filter(i -> i.state().equals("failed")).count();
                        continue;
                    }
                    if (found.isEmpty()) {
                        missing.add("no AMI for " + what);
                        continue;
                    }
                    Views.Image ami = found.get(0);
                    Views.Snapshot snap = snapshots.get(ami.rootSnapshotId());
                    if (!ami.state().equals("available") || !ami.isPublic()) {
                        wrong.add("AMI " + ami.imageId() + " " + ami.state() + (ami.isPublic() ? " public" : " private") + ": " + what);
                    } else if (snap == null || !snap.createVolumePermissionGroups().contains("all")) {
                        wrong.add("snapshot " + ami.rootSnapshotId() + " of " + ami.imageId() + " not public: " + what);
                    } else {
                        publicAmis++;
                    }
                }
            }
            leaks(inspect, region, amis, snapshots);
        }
    }

    private void leaks(Inspector inspect, String region, List<Views.Image> amis, Map<String, Views.Snapshot> snapshots) {
        inspect.instances(region).stream().filter(i -> !Set.of("terminated", "shutting-down").contains(i.state()))
                .forEach(i -> leaks.add("instance " + i.instanceId() + " " + i.state() + " in " + region + " " + i.tags()));
        inspect.volumes(region).forEach(v -> leaks.add("volume " + v.volumeId() + " " + v.state() + " in " + region + " " + v.tags()));
        Set<String> backing = new HashSet<>();
        amis.forEach(i -> i.blockDeviceMappings().forEach(b -> backing.add(b.snapshotId())));
        snapshots.values().stream().filter(s -> !backing.contains(s.snapshotId())).forEach(s -> leaks.add("snapshot "
                + s.snapshotId() + " " + s.state() + " without AMI in " + region + " " + s.tags()));
        inspect.keyPairs(region).forEach(k -> leaks.add("key pair " + k.name() + " in " + region));
        inspect.securityGroups(region).stream().filter(g -> !g.isDefault())
                .forEach(g -> leaks.add("security group " + g.groupId() + " " + g.name() + " in " + region));
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
    }

    private <T extends FedimgEvent> void distinctIds(List<T> events, java.util.function.Function<T, String> fact, String type) {
        events.stream().collect(Collectors.groupingBy(fact, TreeMap::new, Collectors.mapping(FedimgEvent::eventId, Collectors.toSet())))
                .forEach((k, ids) -> {
                    if (ids.size() > 1) {
                        duplicates.add(type + " for " + k + " under " + ids.size() + " event ids");
                    }
                });
    }

    private void bus(Map<String, Set<String>> variants) {
        List<RabbitBus.Received> received = run.bus().received().stream()
                .filter(m -> m.routingKey().startsWith(prefix)).toList();
        busMessages = received.size();
        Set<String> ids = received.stream().map(RabbitBus.Received::messageId).collect(Collectors.toSet());
        busResentSameId = received.size() - ids.size();

        // every status the bridge turns into a bus message is there, under the id derived from its event
        Map<String, StageStatus> statuses = new LinkedHashMap<>();
        run.watcher().seen(StageStatus.class).forEach(s -> statuses.putIfAbsent(s.eventId(), s));
        for (StageStatus s : statuses.values()) {
            String topic = busTopic(s);
            if (topic != null && !ids.contains(EventIds.derived(s.eventId(), prefix + "fedimg." + topic))) {
                missing.add("bus message " + topic + " " + s.state() + " of " + s.imageKey() + " " + s.region()
                        + " (status event " + s.eventId() + ")");
            }
        }

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
        for (var e : variants.entrySet()) {
            String name = name(e.getKey());
            for (String stage : List.of("image.upload started", "image.upload completed", "image.test started",
                    "image.test completed")) {
                if (keys.stream().noneMatch(k -> k.startsWith(stage + " " + name + " "))) {
                    missing.add("bus message " + stage + " of " + name);
                }
            }
            for (String variant : e.getValue()) {
                for (String region : healthyRegions()) {
                    expect(keys, "image.publish completed " + name + " " + region + " " + variant);
                    if (!region.equals(BASE_REGION)) {
                        expect(keys, "image.copy completed " + name + " " + region + " " + variant);
                    }
                }
            }
            successor(received, e.getKey(), name);
        }
    }

    private void expect(Set<String> keys, String key) {
        if (!keys.contains(key)) {
            missing.add("bus message " + key);
        }
    }

    private void successor(List<RabbitBus.Received> received, String imageKey, String name) {
        List<RabbitBus.Received> mine = received.stream()
                .filter(m -> m.routingKey().contains(".fedora_image_uploader.published.")
                        && name.equals(m.body().path("image_name").asText()))
                .toList();
        long distinct = mine.stream().map(RabbitBus.Received::messageId).distinct().count();
        if (distinct != 1) {
            (distinct == 0 ? missing : duplicates).add("successor message of " + imageKey + ": " + distinct + " ids");
            return;
        }
        Set<String> regions = new TreeSet<>();
        mine.get(0).body().path("regions").fieldNames().forEachRemaining(regions::add);
        if (!regions.equals(new TreeSet<>(healthyRegions()))) {
            wrong.add("successor message of " + imageKey + " names " + regions);
        }
    }

    /** The replicator's catalogue says which regions failed, per image and variant. */
    private void catalogue(Map<String, Set<String>> variants) {
        if (failingRegions.isEmpty()) {
            return;
        }
        java.net.URI base = run.pipeline().service("replicator-service").baseUri();
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        for (var e : variants.entrySet()) {
            try {
                String body = http.send(java.net.http.HttpRequest.newBuilder(base.resolve("/images/"
                        + java.net.URLEncoder.encode(e.getKey(), java.nio.charset.StandardCharsets.UTF_8))).build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString()).body();
                JsonNode view = org.fedoraproject.fedimg.messaging.EventJson.MAPPER.readTree(body);
                for (String variant : e.getValue()) {
                    for (String region : failingRegions) {
                        boolean reported = false;
                        for (JsonNode f : view.path("failures")) {
                            reported |= region.equals(f.path("region").asText()) && variant.equals(f.path("variant").asText())
                                    && "FAILED".equals(f.path("outcome").asText());
                        }
                        if (!reported) {
                            wrong.add("catalogue does not report " + variant + "@" + region + " of " + e.getKey() + " as failed: " + body);
                        }
                    }
                }
            } catch (java.io.IOException ex) {
                wrong.add("catalogue of " + e.getKey() + " unreadable: " + ex);
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
        };
    }

    /** Topic, status, image, region and variant: what a receiver reads as "the same message". */
    private String logicalKey(RabbitBus.Received m) {
        JsonNode b = m.body();
        String topic = m.routingKey().substring(prefix.length());
        if (topic.startsWith("fedimg.")) {
            topic = topic.substring("fedimg.".length());
            String status = b.has("status") ? b.get("status").asText() : "completed";
            JsonNode extra = b.path("extra");
            String variant = extra.has("virt_type") ? extra.get("virt_type").asText() + "-" + extra.get("vol_type").asText() : "-";
            return topic + " " + status + " " + b.path("image_name").asText() + " " + b.path("destination").asText()
                    + " " + variant;
        }
        return topic + " " + b.path("image_name").asText();
    }

    private static String name(String imageKey) {
        return imageKey.substring(imageKey.indexOf('/') + 1).replace(".raw.xz", "");
    }
}
