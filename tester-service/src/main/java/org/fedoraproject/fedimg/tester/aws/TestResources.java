package org.fedoraproject.fedimg.tester.aws;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import org.fedoraproject.fedimg.aws.AwsTags;
import org.fedoraproject.fedimg.aws.support.AwsClients;
import org.fedoraproject.fedimg.aws.support.AwsErrors;
import org.fedoraproject.fedimg.aws.support.Ec2Tags;
import org.fedoraproject.fedimg.tester.domain.InstanceLimit;
import org.fedoraproject.fedimg.tester.domain.TestTags;

import io.smallrye.mutiny.Uni;
import software.amazon.awssdk.services.ec2.model.Filter;

/**
 * Finds the tester's temporary resources by tag (never by memory, so a restarted process sees what a
 * dead one left) and removes them: instances first, then key pairs, then security groups once no
 * instance holds them any more.
 */
@ApplicationScoped
public class TestResources {

    static final List<String> LIVE_STATES = List.of("pending", "running", "stopping", "stopped", "shutting-down");

    private final AwsClients aws;
    private final SshAccess ssh;
    private final InstanceWaits waiters;

    TestResources(AwsClients aws, SshAccess ssh, InstanceWaits waiters) {
        this.aws = aws;
        this.ssh = ssh;
        this.waiters = waiters;
    }

    public enum Kind {
        INSTANCE, KEY_PAIR, SECURITY_GROUP
    }

    /** @param state instance state; null for key pairs and groups */
    public record Resource(Kind kind, String id, String name, String state, Map<String, String> tags) {
        public String amiId() {
            return tags.get(TestTags.TEST_AMI);
        }
    }

    /** Every tagged test resource in a region (for the sweep), or those of one AMI. */
    public Uni<List<Resource>> find(String region, String amiIdOrNull) {
        List<Filter> filters = new ArrayList<>();
        filters.add(Ec2Tags.tag(AwsTags.CREATED_BY, AwsTags.CREATED_BY_VALUE));
        filters.add(Ec2Tags.tag(AwsTags.PURPOSE, TestTags.PURPOSE_INSTANCE, TestTags.PURPOSE_KEY, TestTags.PURPOSE_SG));
        if (amiIdOrNull != null) {
            filters.add(Ec2Tags.tag(TestTags.TEST_AMI, amiIdOrNull));
        }
        Uni<List<Resource>> instances = Uni.createFrom().completionStage(() -> aws.ec2(region).describeInstances(b -> b.filters(
                with(filters, Ec2Tags.filter("instance-state-name", LIVE_STATES.toArray(String[]::new))))))
                .map(r -> r.reservations().stream().flatMap(res -> res.instances().stream())
                        .map(i -> new Resource(Kind.INSTANCE, i.instanceId(), i.instanceId(), i.state().nameAsString(),
                                Ec2Tags.map(i.tags())))
                        .toList());
        Uni<List<Resource>> keys = Uni.createFrom().completionStage(() -> aws.ec2(region).describeKeyPairs(b -> b.filters(filters)))
                .map(r -> r.keyPairs().stream()
                        .map(k -> new Resource(Kind.KEY_PAIR, k.keyPairId(), k.keyName(), null, Ec2Tags.map(k.tags())))
                        .toList());
        Uni<List<Resource>> groups = Uni.createFrom().completionStage(() -> aws.ec2(region).describeSecurityGroups(b -> b.filters(filters)))
                .map(r -> r.securityGroups().stream()
                        .map(g -> new Resource(Kind.SECURITY_GROUP, g.groupId(), g.groupName(), null, Ec2Tags.map(g.tags())))
                        .toList());
        return Uni.combine().all().unis(instances, keys, groups).with((i, k, g) -> {
            List<Resource> all = new ArrayList<>(i);
            all.addAll(k);
            all.addAll(g);
            return all;
        });
    }

    /** The test instances alive (pending or running) in a region, whichever tester process launched them. */
    public Uni<List<InstanceLimit.Alive>> aliveInstances(String region) {
        return Uni.createFrom().completionStage(() -> aws.ec2(region).describeInstances(b -> b.filters(
                Ec2Tags.tag(AwsTags.CREATED_BY, AwsTags.CREATED_BY_VALUE), Ec2Tags.tag(AwsTags.PURPOSE, TestTags.PURPOSE_INSTANCE),
                Ec2Tags.filter("instance-state-name", "pending", "running"))))
                .map(r -> r.reservations().stream().flatMap(res -> res.instances().stream())
                        .map(i -> new InstanceLimit.Alive(i.instanceId(), Ec2Tags.map(i.tags()).get(TestTags.TEST_AMI),
                                i.launchTime()))
                        .toList());
    }

    /** Terminates a test instance that must not run its test, tagged with why ({@link TestTags#GAVE_WAY}). */
    public Uni<Void> giveWay(String region, String instanceId, String why) {
        return tagAndTerminate(region, instanceId, Map.of(TestTags.GAVE_WAY, TestTags.fit(why)));
    }

    /** Terminates an earlier attempt's test instance that {@code attempt} replaces ({@link TestTags#SUPERSEDED_BY}). */
    public Uni<Void> supersede(String region, String instanceId, int attempt) {
        return tagAndTerminate(region, instanceId, Map.of(TestTags.SUPERSEDED_BY, String.valueOf(attempt)));
    }

    /** The tag first, so whoever watches the instance learns why it ends rather than taking it for a failed boot. */
    private Uni<Void> tagAndTerminate(String region, String instanceId, Map<String, String> why) {
        return Uni.createFrom().completionStage(() -> aws.ec2(region).createTags(b -> b.resources(instanceId)
                .tags(Ec2Tags.ec2(why))))
                .chain(() -> Uni.createFrom().completionStage(() -> aws.ec2(region).terminateInstances(b -> b.instanceIds(instanceId))))
                .replaceWithVoid();
    }

    /** Removes the given resources in dependency order; instances that are already shutting down are only waited for. */
    public Uni<Void> remove(String region, List<Resource> resources, Duration patience) {
        List<String> instances = resources.stream().filter(r -> r.kind() == Kind.INSTANCE).map(Resource::id).toList();
        List<String> toTerminate = resources.stream()
                .filter(r -> r.kind() == Kind.INSTANCE && !"shutting-down".equals(r.state())).map(Resource::id).toList();
        List<Resource> keys = resources.stream().filter(r -> r.kind() == Kind.KEY_PAIR).toList();
        List<Resource> groups = resources.stream().filter(r -> r.kind() == Kind.SECURITY_GROUP).toList();
        Uni<Void> terminate = toTerminate.isEmpty() ? Uni.createFrom().voidItem()
                : Uni.createFrom().completionStage(() -> aws.ec2(region).terminateInstances(b -> b.instanceIds(toTerminate)))
                        .onFailure(t -> AwsErrors.isNotFound(t)).recoverWithNull()
                        .replaceWithVoid();
        Uni<Void> gone = groups.isEmpty() || instances.isEmpty() ? Uni.createFrom().voidItem()
                : waiters.terminated(region, instances, patience)
                        // a group still held is retried by its delete, and failing that by the next sweep
                        .onFailure().recoverWithNull();
        return terminate
                .chain(() -> each(keys.stream().map(k -> ssh.deleteKey(region, k.name())).toList()))
                .chain(() -> gone)
                .chain(() -> each(groups.stream().map(g -> ssh.deleteGroup(region, g.id(), patience)).toList()));
    }

    /** Everything the tester ever made for this AMI, whatever the attempt. */
    public Uni<Void> removeAllFor(String region, String amiId, Duration patience) {
        return find(region, amiId).chain(found -> remove(region, found, patience));
    }

    private static Uni<Void> each(List<Uni<Void>> unis) {
        return unis.isEmpty() ? Uni.createFrom().voidItem()
                : Uni.join().all(unis).usingConcurrencyOf(4).andFailFast().replaceWithVoid();
    }

    private static List<Filter> with(List<Filter> base, Filter extra) {
        List<Filter> all = new ArrayList<>(base);
        all.add(extra);
        return all;
    }
}
