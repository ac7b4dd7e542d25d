package org.fedoraproject.fedimg.cli.janitor;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import org.fedoraproject.fedimg.aws.AwsTags;
import org.fedoraproject.fedimg.events.TestVerdict;

/**
 * What is a leak. Pure: given the inventory of every region, what Kafka says and the current time, it
 * decides for each fedimg-tagged resource whether to delete, mark or keep it, and why. No I/O.
 *
 * <p>The rules, in order (the first that applies wins); README-janitor.md explains them for operators:
 * <ol>
 * <li>Only resources tagged {@code fedimg:created-by=fedimg} are considered; nothing else is ever touched.</li>
 * <li>Younger than the grace period: kept.</li>
 * <li>Image in flight: kept. An image is in flight when Kafka shows recent activity or an unfinished step
 * ({@link PipelineState#inFlight}), or when any tagged resource of the same image key, in any region, is
 * younger than the grace period (a live job is creating things for it right now).</li>
 * <li>Public or shared AMIs and snapshots, or ones recorded as published on Kafka: kept, always.</li>
 * <li>AMIs that passed their test ({@code fedimg:test=passed} or a PASSED verdict on Kafka), and copies
 * ({@code fedimg:source-ami}) of an AMI that passed: kept; they are not failed runs. An AMI with a failed verdict, or with no passing verdict at all, is a failed run.</li>
 * <li>Snapshots that back an AMI that is kept: kept. A snapshot of an AMI being deleted goes after it.</li>
 * <li>Volumes, key pairs and security groups still used by an instance that is kept: kept.</li>
 * <li>Key pairs and security groups without a creation time (EC2 does not date security groups) age from
 * the tester's {@code fedimg:test-expires-at} deadline or from the janitor's own first-seen tag.</li>
 * </ol>
 */
public final class LeakRules {

    /** Written by the janitor on undated resources, so a later run knows how long they have existed. */
    public static final String FIRST_SEEN = "fedimg:janitor-first-seen";
    /** The tester's deadline on its temporary resources: after it no job can still use them. */
    public static final String EXPIRES_AT = "fedimg:test-expires-at";
    /** Prefix of an instance's reference to its key pair, which it names rather than identifies. */
    public static final String KEY_NAME_REF = "key-name:";
    /** An instance-store AMI's reference to its bundle folder: the bundle's id, {@code s3://bucket/prefix/}. */
    public static final String S3_SCHEME = "s3://";

    private final Instant now;
    private final Duration grace;
    private final Duration stuckAfter;
    private final PipelineState pipeline;

    public LeakRules(Instant now, Duration grace, Duration stuckAfter, PipelineState pipeline) {
        if (grace.isNegative()) {
            throw new IllegalArgumentException("grace period must not be negative: " + grace);
        }
        this.now = now;
        this.grace = grace;
        this.stuckAfter = stuckAfter;
        this.pipeline = pipeline;
    }

    public Plan decide(List<Resource> inventory) {
        List<Resource> tagged = inventory.stream().filter(Resource::createdByFedimg).toList();
        Map<String, String> active = activeImages(tagged);
        List<Finding> findings = new ArrayList<>();
        List<Resource> toCheck = new ArrayList<>();
        Map<String, Finding> byId = new HashMap<>();

        // Dependency order: whether a volume, key or group is free depends on the instances' fate,
        // whether a snapshot is free depends on the AMIs' fate.
        for (ResourceType type : List.of(ResourceType.INSTANCE, ResourceType.AMI, ResourceType.SNAPSHOT,
                ResourceType.BUNDLE, ResourceType.VOLUME, ResourceType.KEY_PAIR, ResourceType.SECURITY_GROUP)) {
            for (Resource r : tagged) {
                if (r.type() != type) {
                    continue;
                }
                Optional<Finding> f = switch (type) {
                    case INSTANCE -> instance(r, active);
                    case AMI -> ami(r, active, inventory, toCheck);
                    case SNAPSHOT -> snapshot(r, active, inventory, byId, toCheck);
                    case BUNDLE -> bundle(r, active, inventory, byId);
                    case VOLUME -> volume(r, active, inventory, byId);
                    case KEY_PAIR, SECURITY_GROUP -> undatable(r, active, inventory, byId);
                };
                f.ifPresent(x -> {
                    findings.add(x);
                    byId.put(key(x.resource()), x);
                });
            }
        }
        return new Plan(findings, toCheck);
    }

    /** Image keys with a tagged resource younger than the grace period, or in flight according to Kafka. */
    private Map<String, String> activeImages(List<Resource> tagged) {
        Map<String, String> active = new HashMap<>();
        tagged.stream()
                .filter(r -> r.imageKey().isPresent() && r.created().isPresent() && young(r.created().get()))
                .sorted(Comparator.comparing((Resource r) -> r.created().get()).reversed())
                .forEach(r -> active.putIfAbsent(r.imageKey().get(), what(r, r.type().label()) + " " + r.id() + " in "
                        + r.region() + " was created " + Ages.format(Duration.between(r.created().get(), now)) + " ago"));
        tagged.stream().flatMap(r -> r.imageKey().stream()).distinct().forEach(k -> {
            if (!active.containsKey(k)) {
                pipeline.inFlight(k, now, grace, stuckAfter).ifPresent(why -> active.put(k, why));
            }
        });
        return active;
    }

    /** Rules 2 and 3, common to every type. */
    private Optional<Finding> gate(Resource r, Map<String, String> active) {
        boolean dated = r.type() != ResourceType.KEY_PAIR && r.type() != ResourceType.SECURITY_GROUP;
        if (dated && r.created().isEmpty()) {
            return Optional.of(Finding.keep(r, "EC2 reported no creation time, so its age is unknown"));
        }
        if (r.created().isPresent() && young(r.created().get())) {
            return Optional.of(Finding.keep(r, "created " + Ages.format(Duration.between(r.created().get(), now))
                    + " ago, within the grace period " + Ages.format(grace)));
        }
        if (r.imageKey().isPresent() && active.containsKey(r.imageKey().get())) {
            return Optional.of(Finding.keep(r, "image " + r.imageKey().get() + " is in flight: "
                    + active.get(r.imageKey().get())));
        }
        return Optional.empty();
    }

    private Optional<Finding> instance(Resource r, Map<String, String> active) {
        if (r.state().equals("terminated")) {
            return Optional.empty();
        }
        if (r.state().equals("shutting-down")) {
            return Optional.of(Finding.keep(r, "already shutting down"));
        }
        return gate(r, active).or(() -> Optional.of(Finding.delete(r,
                "leaked " + what(r, "instance") + " (" + r.state() + ")" + noKey(r))));
    }

    private Optional<Finding> ami(Resource r, Map<String, String> active, List<Resource> inventory,
            List<Resource> toCheck) {
        if (r.state().equals("deregistered")) {
            return Optional.empty();
        }
        if (r.state().equals("pending")) {
            return Optional.of(Finding.keep(r, "still pending"));
        }
        Optional<Finding> kept = gate(r, active).or(() -> published(r));
        if (kept.isPresent()) {
            return kept;
        }
        String verdict = Optional.ofNullable(r.tag(AwsTags.TEST_VERDICT)).orElse("").toLowerCase(Locale.ROOT);
        Optional<TestVerdict> recorded = pipeline.verdict(r.id());
        if (verdict.equals("passed") || recorded.equals(Optional.of(TestVerdict.PASSED))) {
            return Optional.of(Finding.keep(r, "passed its test: not a failed run"));
        }
        String source = r.tag(AwsTags.SOURCE_AMI);
        if (source != null && sourcePassed(source, inventory)) {
            return Optional.of(Finding.keep(r, "copy of " + source + ", which passed its test: not a failed run"));
        }
        String why;
        if (verdict.equals("failed")) {
            String detail = r.tag("fedimg:test-reason");
            why = "test failed" + (detail == null || detail.isBlank() ? "" : ": " + detail) + "; never published";
        } else if (recorded.equals(Optional.of(TestVerdict.FAILED))) {
            why = "test failed (fedimg.amis.tested); never published";
        } else {
            why = "never passed a test and never published";
        }
        return needsVisibility(r, why, toCheck);
    }

    /** A copy whose base-region AMI passed is the replicator's business (it retries failed regions). */
    private boolean sourcePassed(String sourceAmiId, List<Resource> inventory) {
        return pipeline.verdict(sourceAmiId).equals(Optional.of(TestVerdict.PASSED))
                || inventory.stream().anyMatch(a -> a.type() == ResourceType.AMI && a.id().equals(sourceAmiId)
                        && "passed".equalsIgnoreCase(a.tags().getOrDefault(AwsTags.TEST_VERDICT, "")));
    }

    private Optional<Finding> snapshot(Resource r, Map<String, String> active, List<Resource> inventory,
            Map<String, Finding> byId, List<Resource> toCheck) {
        Optional<Finding> kept = gate(r, active).or(() -> published(r));
        if (kept.isPresent()) {
            return kept;
        }
        List<Resource> backing = inventory.stream()
                .filter(a -> a.type() == ResourceType.AMI && a.region().equals(r.region())
                        && !a.state().equals("deregistered") && a.references().contains(r.id()))
                .sorted(Comparator.comparing(Resource::id))
                .toList();
        Optional<Resource> keptAmi = backing.stream().filter(a -> !deleted(a, byId)).findFirst();
        if (keptAmi.isPresent()) {
            return Optional.of(Finding.keep(r, "backs AMI " + keptAmi.get().id()));
        }
        if (!backing.isEmpty()) {
            String amis = backing.stream().map(Resource::id).collect(Collectors.joining(", "));
            return needsVisibility(r, "snapshot of leaked AMI " + amis, toCheck)
                    .map(f -> f.action() == Finding.Action.DELETE
                            ? new Finding(r, f.action(), f.reason(), Optional.of(backing.get(0).id())) : f);
        }
        return needsVisibility(r, "used by no AMI" + noKey(r), toCheck);
    }

    /**
     * An instance-store bundle is kept while an AMI of its region that is kept boots from it (EC2 reads the parts
     * at every launch, and DeregisterImage leaves them); else it is a leak, deleted after the AMIs that used it.
     * Its age is that of its newest object, so a bundle being written is young.
     */
    private Optional<Finding> bundle(Resource r, Map<String, String> active, List<Resource> inventory,
            Map<String, Finding> byId) {
        Optional<Finding> kept = gate(r, active);
        if (kept.isPresent()) {
            return kept;
        }
        List<Resource> booting = inventory.stream()
                .filter(a -> a.type() == ResourceType.AMI && a.region().equals(r.region())
                        && !a.state().equals("deregistered") && a.references().contains(r.id()))
                .sorted(Comparator.comparing(Resource::id))
                .toList();
        Optional<Resource> keptAmi = booting.stream().filter(a -> !deleted(a, byId)).findFirst();
        if (keptAmi.isPresent()) {
            return Optional.of(Finding.keep(r, "bundle of AMI " + keptAmi.get().id()));
        }
        if (!booting.isEmpty()) {
            return Optional.of(new Finding(r, Finding.Action.DELETE, "bundle of leaked AMI "
                    + booting.stream().map(Resource::id).collect(Collectors.joining(", ")), Optional.of(booting.get(0).id())));
        }
        return Optional.of(Finding.delete(r, "bundle used by no AMI" + noKey(r)));
    }

    private Optional<Finding> volume(Resource r, Map<String, String> active, List<Resource> inventory,
            Map<String, Finding> byId) {
        if (r.state().equals("deleting") || r.state().equals("deleted")) {
            return Optional.empty();
        }
        Optional<Finding> kept = gate(r, active).or(() -> attachedToLiveInstance(r, inventory, byId));
        if (kept.isPresent()) {
            return kept;
        }
        String where = r.references().isEmpty() ? "not attached"
                : "attached only to leaked instance " + String.join(", ", r.references().stream().sorted().toList());
        return Optional.of(Finding.delete(r, "leaked " + what(r, "volume") + ", " + where + noKey(r)));
    }

    /** Key pairs and security groups: undated ones age from a deadline tag or the janitor's first sighting. */
    private Optional<Finding> undatable(Resource r, Map<String, String> active, List<Resource> inventory,
            Map<String, Finding> byId) {
        String ref = r.type() == ResourceType.KEY_PAIR ? KEY_NAME_REF + r.name() : r.id();
        Optional<Finding> kept = gate(r, active)
                .or(() -> usedByLiveInstance(r, ref, inventory, byId));
        if (kept.isPresent()) {
            return kept;
        }
        String leaked = "leaked " + what(r, r.type().label());
        if (r.created().isPresent()) {
            return Optional.of(Finding.delete(r, leaked + noKey(r)));
        }
        Optional<Instant> deadline = instant(r.tag(EXPIRES_AT));
        if (deadline.isPresent()) {
            if (deadline.get().isBefore(now)) {
                return Optional.of(Finding.delete(r, leaked + ", past the tester's deadline " + deadline.get()));
            }
            return Optional.of(Finding.keep(r, "the tester's deadline " + deadline.get() + " has not passed"));
        }
        Optional<Instant> firstSeen = instant(r.tag(FIRST_SEEN));
        if (firstSeen.isPresent()) {
            if (young(firstSeen.get())) {
                return Optional.of(Finding.keep(r, "undated; first seen by the janitor "
                        + Ages.format(Duration.between(firstSeen.get(), now)) + " ago, within the grace period"));
            }
            return Optional.of(Finding.delete(r, leaked + ", first seen by the janitor "
                    + Ages.format(Duration.between(firstSeen.get(), now)) + " ago"));
        }
        return Optional.of(new Finding(r, Finding.Action.MARK,
                "EC2 does not date it: tagged first-seen now, deleted by a run after the grace period",
                Optional.empty()));
    }

    private Optional<Finding> published(Resource r) {
        if (r.visibility() == Visibility.PUBLIC) {
            return Optional.of(Finding.keep(r, "public"));
        }
        if (r.visibility() == Visibility.SHARED) {
            return Optional.of(Finding.keep(r, "shared with other accounts"));
        }
        if (pipeline.published(r.id())) {
            return Optional.of(Finding.keep(r, "recorded as published on fedimg.amis.published"));
        }
        return Optional.empty();
    }

    /** Deletes only what is known to be private; an unknown visibility is read first, and kept if unreadable. */
    private Optional<Finding> needsVisibility(Resource r, String why, List<Resource> toCheck) {
        if (r.visibility() == Visibility.UNKNOWN) {
            toCheck.add(r);
            return Optional.of(Finding.keep(r, "permissions not known, so not deleted (" + why + ")"));
        }
        return Optional.of(Finding.delete(r, why));
    }

    private Optional<Finding> attachedToLiveInstance(Resource volume, List<Resource> inventory,
            Map<String, Finding> byId) {
        Resource r = volume;
        for (String instanceId : volume.references().stream().sorted().toList()) {
            Optional<Resource> instance = inventory.stream()
                    .filter(i -> i.type() == ResourceType.INSTANCE && i.region().equals(r.region())
                            && i.id().equals(instanceId))
                    .findFirst();
            if (instance.isEmpty()) {
                return Optional.of(Finding.keep(r, "attached to instance " + instanceId + " that the inventory did not see"));
            }
            if (!instance.get().state().equals("terminated") && !deleted(instance.get(), byId)) {
                return Optional.of(Finding.keep(r, "attached to live instance " + instanceId));
            }
        }
        return Optional.empty();
    }

    private Optional<Finding> usedByLiveInstance(Resource r, String ref, List<Resource> inventory,
            Map<String, Finding> byId) {
        return inventory.stream()
                .filter(i -> i.type() == ResourceType.INSTANCE && i.region().equals(r.region())
                        && !i.state().equals("terminated") && i.references().contains(ref) && !deleted(i, byId))
                .map(Resource::id)
                .sorted()
                .findFirst()
                .map(id -> Finding.keep(r, "used by live instance " + id));
    }

    private static boolean deleted(Resource r, Map<String, Finding> byId) {
        Finding f = byId.get(key(r));
        return f != null && f.action() == Finding.Action.DELETE;
    }

    private boolean young(Instant created) {
        return created.isAfter(now.minus(grace));
    }

    private static String key(Resource r) {
        return r.region() + "/" + r.type() + "/" + r.id();
    }

    private static String what(Resource r, String fallback) {
        String p = r.purpose();
        return p.isBlank() ? fallback : p;
    }

    private static String noKey(Resource r) {
        return r.imageKey().isPresent() ? "" : " (no image key tag: age alone decided)";
    }

    private static Optional<Instant> instant(String value) {
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Instant.parse(value.strip()));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }
}
