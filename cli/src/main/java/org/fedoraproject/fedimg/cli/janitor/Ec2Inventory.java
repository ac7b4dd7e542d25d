package org.fedoraproject.fedimg.cli.janitor;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import org.fedoraproject.fedimg.aws.AwsTags;
import org.fedoraproject.fedimg.aws.support.AwsClients;

import software.amazon.awssdk.services.ec2.Ec2AsyncClient;
import software.amazon.awssdk.services.ec2.model.BlockDeviceMapping;
import software.amazon.awssdk.services.ec2.model.CreateVolumePermission;
import software.amazon.awssdk.services.ec2.model.DeviceType;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.GroupIdentifier;
import software.amazon.awssdk.services.ec2.model.Image;
import software.amazon.awssdk.services.ec2.model.ImageAttributeName;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.KeyPairInfo;
import software.amazon.awssdk.services.ec2.model.LaunchPermission;
import software.amazon.awssdk.services.ec2.model.PermissionGroup;
import software.amazon.awssdk.services.ec2.model.Region;
import software.amazon.awssdk.services.ec2.model.SecurityGroup;
import software.amazon.awssdk.services.ec2.model.Snapshot;
import software.amazon.awssdk.services.ec2.model.SnapshotAttributeName;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.Volume;
import software.amazon.awssdk.services.ec2.model.VolumeAttachment;

/**
 * Reads one region into {@link Resource}s: every instance (their security groups, key names and volumes
 * tell what is still in use) and every AMI the account owns (their block devices tell which snapshots
 * are in use, and instance-store AMIs their bundle), plus the fedimg-tagged volumes, snapshots, key pairs,
 * security groups and instance-store bundles ({@link BundleInventory}). Read-only.
 */
public final class Ec2Inventory {

    private static final Filter CREATED_BY = Filter.builder()
            .name("tag:" + AwsTags.CREATED_BY).values(AwsTags.CREATED_BY_VALUE).build();

    private final AwsClients clients;
    private final BundleInventory bundles;

    public Ec2Inventory(AwsClients clients) {
        this.clients = clients;
        this.bundles = new BundleInventory(clients);
    }

    /** The regions enabled for the account (opt-in regions only once opted in). */
    public CompletableFuture<List<String>> enabledRegions() {
        return clients.ec2(clients.baseRegion()).describeRegions(b -> b.allRegions(false))
                .thenApply(r -> r.regions().stream()
                        .filter(x -> x.optInStatus() == null || !x.optInStatus().equals("not-opted-in"))
                        .map(Region::regionName).sorted().toList());
    }

    public CompletableFuture<List<Resource>> region(String region) {
        Ec2AsyncClient ec2 = clients.ec2(region);
        List<Resource> out = Collections.synchronizedList(new ArrayList<>());
        CompletableFuture<Void> instances = ec2.describeInstancesPaginator(b -> { })
                .reservations().subscribe(r -> r.instances().forEach(i -> out.add(instance(region, i))));
        CompletableFuture<Void> images = ec2.describeImagesPaginator(b -> b.owners("self").includeDeprecated(true).includeDisabled(true))
                .images().subscribe(i -> out.add(image(region, i)));
        CompletableFuture<Void> volumes = ec2.describeVolumesPaginator(b -> b.filters(CREATED_BY))
                .volumes().subscribe(v -> out.add(volume(region, v)));
        CompletableFuture<Void> snapshots = ec2.describeSnapshotsPaginator(b -> b.ownerIds("self").filters(CREATED_BY))
                .snapshots().subscribe(s -> out.add(snapshot(region, s)));
        CompletableFuture<Void> keys = ec2.describeKeyPairs(b -> b.filters(CREATED_BY))
                .thenAccept(r -> r.keyPairs().forEach(k -> out.add(keyPair(region, k))));
        CompletableFuture<Void> groups = ec2.describeSecurityGroupsPaginator(b -> b.filters(CREATED_BY))
                .securityGroups().subscribe(g -> out.add(securityGroup(region, g)));
        CompletableFuture<Void> bundleFolders = bundles.region(region).thenAccept(out::addAll);
        return CompletableFuture.allOf(instances, images, volumes, snapshots, keys, groups, bundleFolders)
                .thenApply(v -> List.copyOf(out));
    }

    /** Reads launch (AMI) or create-volume (snapshot) permissions; stays UNKNOWN if they cannot be read. */
    public CompletableFuture<Resource> withVisibility(Resource r) {
        Ec2AsyncClient ec2 = clients.ec2(r.region());
        CompletableFuture<Visibility> v = switch (r.type()) {
            case AMI -> ec2.describeImageAttribute(b -> b.imageId(r.id()).attribute(ImageAttributeName.LAUNCH_PERMISSION))
                    .thenApply(a -> launchVisibility(a.launchPermissions()));
            case SNAPSHOT -> ec2.describeSnapshotAttribute(b -> b.snapshotId(r.id())
                            .attribute(SnapshotAttributeName.CREATE_VOLUME_PERMISSION))
                    .thenApply(a -> volumeVisibility(a.createVolumePermissions()));
            default -> CompletableFuture.completedFuture(Visibility.PRIVATE);
        };
        return v.exceptionally(t -> Visibility.UNKNOWN).thenApply(r::withVisibility);
    }

    static Visibility launchVisibility(List<LaunchPermission> permissions) {
        if (permissions.stream().anyMatch(p -> p.group() == PermissionGroup.ALL)) {
            return Visibility.PUBLIC;
        }
        return permissions.isEmpty() ? Visibility.PRIVATE : Visibility.SHARED;
    }

    static Visibility volumeVisibility(List<CreateVolumePermission> permissions) {
        if (permissions.stream().anyMatch(p -> p.group() == PermissionGroup.ALL)) {
            return Visibility.PUBLIC;
        }
        return permissions.isEmpty() ? Visibility.PRIVATE : Visibility.SHARED;
    }

    static Resource instance(String region, Instance i) {
        Set<String> refs = new LinkedHashSet<>();
        i.securityGroups().stream().map(GroupIdentifier::groupId).forEach(refs::add);
        if (i.keyName() != null) {
            refs.add(LeakRules.KEY_NAME_REF + i.keyName());
        }
        Map<String, String> tags = tags(i.tags());
        return new Resource(region, ResourceType.INSTANCE, i.instanceId(), tags.getOrDefault(AwsTags.NAME, ""), tags,
                Optional.ofNullable(i.launchTime()), i.state() == null ? "" : i.state().nameAsString(),
                Visibility.PRIVATE, refs);
    }

    static Resource image(String region, Image i) {
        Set<String> refs = new LinkedHashSet<>();
        for (BlockDeviceMapping m : i.blockDeviceMappings()) {
            if (m.ebs() != null && m.ebs().snapshotId() != null) {
                refs.add(m.ebs().snapshotId());
            }
        }
        if (i.rootDeviceType() == DeviceType.INSTANCE_STORE) {
            BundleInventory.idOfImageLocation(i.imageLocation()).ifPresent(refs::add);
        }
        Visibility v = Boolean.TRUE.equals(i.publicLaunchPermissions()) ? Visibility.PUBLIC : Visibility.UNKNOWN;
        return new Resource(region, ResourceType.AMI, i.imageId(), i.name(), tags(i.tags()), instant(i.creationDate()),
                i.stateAsString(), v, refs);
    }

    static Resource volume(String region, Volume v) {
        Set<String> refs = new LinkedHashSet<>();
        for (VolumeAttachment a : v.attachments()) {
            if (a.instanceId() != null && !"detached".equals(a.stateAsString())) {
                refs.add(a.instanceId());
            }
        }
        Map<String, String> tags = tags(v.tags());
        return new Resource(region, ResourceType.VOLUME, v.volumeId(), tags.getOrDefault(AwsTags.NAME, ""), tags,
                Optional.ofNullable(v.createTime()), v.stateAsString(), Visibility.PRIVATE, refs);
    }

    static Resource snapshot(String region, Snapshot s) {
        Map<String, String> tags = tags(s.tags());
        return new Resource(region, ResourceType.SNAPSHOT, s.snapshotId(), tags.getOrDefault(AwsTags.NAME, ""), tags,
                Optional.ofNullable(s.startTime()), s.stateAsString(), Visibility.UNKNOWN, Set.of());
    }

    static Resource keyPair(String region, KeyPairInfo k) {
        String id = k.keyPairId() != null ? k.keyPairId() : k.keyName();
        return new Resource(region, ResourceType.KEY_PAIR, id, k.keyName(), tags(k.tags()),
                Optional.ofNullable(k.createTime()), "", Visibility.PRIVATE, Set.of());
    }

    static Resource securityGroup(String region, SecurityGroup g) {
        return new Resource(region, ResourceType.SECURITY_GROUP, g.groupId(), g.groupName(), tags(g.tags()),
                Optional.empty(), "", Visibility.PRIVATE, Set.of());
    }

    static Map<String, String> tags(List<Tag> tags) {
        Map<String, String> m = new LinkedHashMap<>();
        tags.forEach(t -> m.put(t.key(), t.value() == null ? "" : t.value()));
        return m;
    }

    private static Optional<Instant> instant(String iso) {
        if (iso == null || iso.isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Instant.parse(iso));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }
}
