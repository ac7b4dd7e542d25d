package org.fedoraproject.fedimg.cli.janitor;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.function.Supplier;

import org.fedoraproject.fedimg.aws.AwsTags;
import org.fedoraproject.fedimg.aws.support.AwsClients;
import org.fedoraproject.fedimg.aws.support.AwsErrors;

import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.ec2.Ec2AsyncClient;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.ec2.model.Image;
import software.amazon.awssdk.services.ec2.model.ImageAttributeName;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.SnapshotAttributeName;
import software.amazon.awssdk.services.ec2.model.Tag;

/**
 * Carries out the actionable findings of one region in the safe order: terminate instances and wait for
 * them, delete volumes, deregister AMIs then delete their snapshots, delete the other snapshots, the
 * instance-store bundles (after their AMIs), key pairs, security groups. Every step is idempotent (already gone counts as done) and one failure does
 * not stop the others. Just before an AMI or snapshot goes, its permissions are read again: something
 * public or shared is refused, whatever the plan said.
 *
 * <p>Runs on a worker thread and waits on the SDK futures; AWS throttling and 5xx are retried by the SDK
 * only, this class retries only the semantic "still in use" answers that follow a termination or a
 * deregistration, a bounded number of times.
 */
public final class Ec2Deleter {

    private final AwsClients clients;
    private final Settings settings;
    private final Instant now;

    /**
     * @param terminationTimeout how long to wait for terminated instances before going on
     * @param retryInterval      first pause before retrying an "in use" answer; doubles each attempt
     * @param attempts           attempts for a step that AWS answers "in use"
     */
    public record Settings(Duration terminationTimeout, Duration retryInterval, int attempts) {
    }

    public Ec2Deleter(AwsClients clients, Settings settings, Instant now) {
        this.clients = clients;
        this.settings = settings;
        this.now = now;
    }

    public List<Outcome> execute(String region, List<Finding> actionable) {
        Ec2AsyncClient ec2 = clients.ec2(region);
        List<Outcome> outcomes = new ArrayList<>();
        Map<String, Outcome.Status> amiStatus = new HashMap<>();

        List<Finding> instances = of(actionable, ResourceType.INSTANCE, Finding.Action.DELETE);
        List<Outcome> terminated = new ArrayList<>();
        for (Finding f : instances) {
            terminated.add(step(f, () -> ec2.terminateInstances(b -> b.instanceIds(f.resource().id())), Set.of()));
        }
        outcomes.addAll(awaitTermination(ec2, terminated));

        for (Finding f : of(actionable, ResourceType.VOLUME, Finding.Action.DELETE)) {
            outcomes.add(step(f, () -> ec2.deleteVolume(b -> b.volumeId(f.resource().id())),
                    Set.of("VolumeInUse", "IncorrectState")));
        }
        for (Finding f : of(actionable, ResourceType.AMI, Finding.Action.DELETE)) {
            Outcome o = refuseIfShared(f, () -> amiVisibility(ec2, f.resource().id()))
                    .orElseGet(() -> step(f, () -> ec2.deregisterImage(b -> b.imageId(f.resource().id())), Set.of()));
            amiStatus.put(f.resource().id(), o.status());
            outcomes.add(o);
        }
        for (Finding f : of(actionable, ResourceType.SNAPSHOT, Finding.Action.DELETE)) {
            Optional<String> ami = f.dependsOn();
            Outcome.Status amiDone = ami.map(amiStatus::get).orElse(Outcome.Status.DELETED);
            if (amiDone != Outcome.Status.DELETED && amiDone != Outcome.Status.ALREADY_GONE) {
                outcomes.add(new Outcome(f, amiDone == Outcome.Status.REFUSED ? Outcome.Status.REFUSED : Outcome.Status.FAILED,
                        "not deleted: AMI " + ami.get() + " was not deregistered"));
                continue;
            }
            outcomes.add(refuseIfShared(f, () -> snapshotVisibility(ec2, f.resource().id()))
                    .orElseGet(() -> step(f, () -> ec2.deleteSnapshot(b -> b.snapshotId(f.resource().id())),
                            Set.of("InvalidSnapshot.InUse"))));
        }
        for (Finding f : of(actionable, ResourceType.BUNDLE, Finding.Action.DELETE)) {
            Optional<String> ami = f.dependsOn();
            Outcome.Status amiDone = ami.map(amiStatus::get).orElse(Outcome.Status.DELETED);
            if (amiDone != Outcome.Status.DELETED && amiDone != Outcome.Status.ALREADY_GONE) {
                outcomes.add(new Outcome(f, amiDone == Outcome.Status.REFUSED ? Outcome.Status.REFUSED : Outcome.Status.FAILED,
                        "not deleted: AMI " + ami.get() + " was not deregistered"));
                continue;
            }
            outcomes.add(step(f, () -> deleteBundle(region, f.resource().id()), Set.of()));
        }
        for (Finding f : of(actionable, ResourceType.KEY_PAIR, Finding.Action.DELETE)) {
            outcomes.add(step(f, () -> f.resource().id().startsWith("key-")
                    ? ec2.deleteKeyPair(b -> b.keyPairId(f.resource().id()))
                    : ec2.deleteKeyPair(b -> b.keyName(f.resource().name())), Set.of()));
        }
        for (Finding f : of(actionable, ResourceType.SECURITY_GROUP, Finding.Action.DELETE)) {
            outcomes.add(step(f, () -> ec2.deleteSecurityGroup(b -> b.groupId(f.resource().id())),
                    Set.of("DependencyViolation")));
        }
        for (Finding f : actionable) {
            if (f.action() == Finding.Action.MARK) {
                outcomes.add(mark(ec2, f));
            }
        }
        return outcomes;
    }

    /**
     * Every object of a bundle's folder, a page (at most 1000 keys) at a time with DeleteObjects; a listing that
     * comes back empty means done, so a repeat after an interruption finishes the job.
     */
    private CompletableFuture<Void> deleteBundle(String region, String id) {
        String[] where = BundleInventory.bucketAndFolder(id);
        S3AsyncClient s3 = clients.s3(region);
        return s3.listObjectsV2(b -> b.bucket(where[0]).prefix(where[1]).maxKeys(1000)).thenCompose(page -> {
            if (page.contents().isEmpty()) {
                return CompletableFuture.completedFuture(null);
            }
            List<ObjectIdentifier> keys = page.contents().stream()
                    .map(o -> ObjectIdentifier.builder().key(o.key()).build()).toList();
            return s3.deleteObjects(b -> b.bucket(where[0]).delete(d -> d.objects(keys).quiet(true)))
                    .thenCompose(r -> r.errors().isEmpty() ? deleteBundle(region, id)
                            : CompletableFuture.failedFuture(new IllegalStateException("DeleteObjects refused "
                                    + r.errors().size() + " objects of " + id + ", e.g. " + r.errors().get(0).key() + ": "
                                    + r.errors().get(0).code())));
        });
    }

    private Outcome mark(Ec2AsyncClient ec2, Finding f) {
        Outcome o = step(f, () -> ec2.createTags(b -> b.resources(f.resource().id())
                .tags(Tag.builder().key(LeakRules.FIRST_SEEN).value(now.toString()).build())), Set.of());
        return o.status() == Outcome.Status.DELETED ? new Outcome(f, Outcome.Status.MARKED, "first seen " + now) : o;
    }

    /** Waits until every instance that was told to terminate is terminated (or gone). */
    private List<Outcome> awaitTermination(Ec2AsyncClient ec2, List<Outcome> requested) {
        Map<String, Outcome> pending = new HashMap<>();
        List<Outcome> done = new ArrayList<>();
        for (Outcome o : requested) {
            if (o.status() == Outcome.Status.DELETED) {
                pending.put(o.finding().resource().id(), o);
            } else {
                done.add(o);
            }
        }
        Instant deadline = Instant.now().plus(settings.terminationTimeout());
        Duration pause = settings.retryInterval();
        Map<String, String> lastState = new HashMap<>();
        String describeError = "";
        while (!pending.isEmpty()) {
            try {
                describeError = "";
                List<Instance> seen = join(ec2.describeInstances(b -> b.instanceIds(pending.keySet())))
                        .reservations().stream().flatMap(r -> r.instances().stream()).toList();
                Set<String> present = new java.util.HashSet<>();
                for (Instance i : seen) {
                    present.add(i.instanceId());
                    lastState.put(i.instanceId(), i.state().nameAsString());
                    if ("terminated".equals(i.state().nameAsString())) {
                        done.add(pending.remove(i.instanceId()));
                    }
                }
                for (String id : List.copyOf(pending.keySet())) {
                    if (!present.contains(id)) {
                        done.add(pending.remove(id));
                    }
                }
            } catch (RuntimeException e) {
                if (AwsErrors.isNotFound(e)) {
                    // One id unknown fails the whole call: ask one by one, an unknown one is gone.
                    for (String id : List.copyOf(pending.keySet())) {
                        try {
                            join(ec2.describeInstances(b -> b.instanceIds(id)));
                        } catch (RuntimeException one) {
                            if (AwsErrors.isNotFound(one)) {
                                done.add(pending.remove(id));
                            }
                        }
                    }
                } else {
                    describeError = " (last DescribeInstances failed: " + AwsErrors.describe(e) + ")";
                }
            }
            if (pending.isEmpty()) {
                break;
            }
            if (Instant.now().isAfter(deadline)) {
                for (Outcome o : pending.values()) {
                    done.add(new Outcome(o.finding(), Outcome.Status.FAILED, "terminate requested but still "
                            + lastState.getOrDefault(o.finding().resource().id(), "not terminated") + " after "
                            + Ages.format(settings.terminationTimeout()) + describeError));
                }
                break;
            }
            sleep(pause);
            pause = min(pause.multipliedBy(2), Duration.ofSeconds(15));
        }
        return done;
    }

    private Optional<Outcome> refuseIfShared(Finding f, Supplier<Visibility> current) {
        Visibility v;
        try {
            v = current.get();
        } catch (RuntimeException e) {
            if (AwsErrors.isNotFound(e)) {
                return Optional.of(new Outcome(f, Outcome.Status.ALREADY_GONE, ""));
            }
            return Optional.of(new Outcome(f, Outcome.Status.FAILED, "could not re-read permissions: " + AwsErrors.describe(e)));
        }
        if (v == Visibility.UNKNOWN) {
            return Optional.of(new Outcome(f, Outcome.Status.REFUSED, "no longer carries " + AwsTags.CREATED_BY));
        }
        if (v != Visibility.PRIVATE) {
            return Optional.of(new Outcome(f, Outcome.Status.REFUSED,
                    "became " + v.name().toLowerCase(java.util.Locale.ROOT) + " since the plan"));
        }
        return Optional.empty();
    }

    private Visibility amiVisibility(Ec2AsyncClient ec2, String amiId) {
        List<Image> images = join(ec2.describeImages(b -> b.imageIds(amiId))).images();
        if (images.isEmpty()) {
            throw AwsServiceException.builder().awsErrorDetails(software.amazon.awssdk.awscore.exception.AwsErrorDetails
                    .builder().errorCode("InvalidAMIID.NotFound").build()).build();
        }
        Image image = images.get(0);
        boolean tagged = image.tags().stream().anyMatch(t -> AwsTags.CREATED_BY.equals(t.key())
                && AwsTags.CREATED_BY_VALUE.equals(t.value()));
        if (!tagged) {
            return Visibility.UNKNOWN;
        }
        if (Boolean.TRUE.equals(image.publicLaunchPermissions())) {
            return Visibility.PUBLIC;
        }
        return Ec2Inventory.launchVisibility(join(ec2.describeImageAttribute(b -> b.imageId(amiId)
                .attribute(ImageAttributeName.LAUNCH_PERMISSION))).launchPermissions());
    }

    private Visibility snapshotVisibility(Ec2AsyncClient ec2, String snapshotId) {
        return Ec2Inventory.volumeVisibility(join(ec2.describeSnapshotAttribute(b -> b.snapshotId(snapshotId)
                .attribute(SnapshotAttributeName.CREATE_VOLUME_PERMISSION))).createVolumePermissions());
    }

    /** One delete call; NotFound is success, the given codes are retried with backoff. */
    private Outcome step(Finding f, Supplier<CompletableFuture<?>> call, Set<String> retryOn) {
        Duration pause = settings.retryInterval();
        for (int attempt = 1; ; attempt++) {
            try {
                join(call.get());
                return new Outcome(f, Outcome.Status.DELETED, "");
            } catch (RuntimeException e) {
                if (AwsErrors.isNotFound(e)) {
                    return new Outcome(f, Outcome.Status.ALREADY_GONE, "");
                }
                if (!AwsErrors.hasCode(e, retryOn.toArray(String[]::new)) || attempt >= settings.attempts()) {
                    return new Outcome(f, Outcome.Status.FAILED, AwsErrors.describe(e));
                }
            }
            sleep(pause);
            pause = min(pause.multipliedBy(2), Duration.ofSeconds(30));
        }
    }

    private static List<Finding> of(List<Finding> findings, ResourceType type, Finding.Action action) {
        return findings.stream().filter(f -> f.resource().type() == type && f.action() == action).toList();
    }

    private static <T> T join(CompletableFuture<T> future) {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new CompletionException(e.getCause());
        }
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
