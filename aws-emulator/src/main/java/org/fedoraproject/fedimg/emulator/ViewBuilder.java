package org.fedoraproject.fedimg.emulator;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

import org.fedoraproject.fedimg.emulator.ebs.BlockStore;
import org.fedoraproject.fedimg.emulator.state.Engine;
import org.fedoraproject.fedimg.emulator.state.LifeCycles;
import org.fedoraproject.fedimg.emulator.state.Model;
import org.fedoraproject.fedimg.emulator.state.QuotaUsage;
import org.fedoraproject.fedimg.emulator.state.RegionState;

import software.amazon.awssdk.services.ec2.model.BlockDeviceMapping;
import software.amazon.awssdk.services.ec2.model.IpPermission;

/** Builds the public {@link Views} from the engine's state, under its lock. */
final class ViewBuilder {

    private final Engine engine;
    private final LifeCycles life;

    ViewBuilder(Engine engine) {
        this.engine = engine;
        this.life = engine.life();
    }

    private <R, V> List<V> list(String region, Function<RegionState, Map<String, R>> map, Function<R, V> view) {
        synchronized (engine) {
            List<V> out = new ArrayList<>();
            for (R r : map.apply(engine.region(region)).values()) {
                out.add(view.apply(r));
            }
            return out;
        }
    }

    List<Views.Image> images(String region) {
        return list(region, r -> r.images, this::image);
    }

    List<Views.Snapshot> snapshots(String region) {
        return list(region, r -> r.snapshots, this::snapshot);
    }

    List<Views.Instance> instances(String region) {
        return list(region, r -> r.instances, this::instance);
    }

    List<Views.Volume> volumes(String region) {
        return list(region, r -> r.volumes, this::volume);
    }

    List<Views.KeyPair> keyPairs(String region) {
        return list(region, r -> r.keyPairs, k -> new Views.KeyPair(k.id, k.region, k.name, k.keyType, k.fingerprint,
                Map.copyOf(k.tags)));
    }

    List<Views.SecurityGroup> securityGroups(String region) {
        return list(region, r -> r.securityGroups, g -> new Views.SecurityGroup(g.id, g.region, g.name,
                g.description, g.isDefault, g.ingress.stream().map(ViewBuilder::rule).toList(), copy(g.tags)));
    }

    private static String rule(IpPermission p) {
        String ranges = String.join(",", p.ipRanges().stream().map(r -> r.cidrIp()).toList());
        return p.ipProtocol() + ":" + p.fromPort() + "-" + p.toPort() + ":" + ranges;
    }

    private Views.Image image(Model.AmiRec a) {
        List<Views.BlockDevice> bdms = new ArrayList<>();
        for (BlockDeviceMapping m : a.blockDeviceMappings) {
            var e = m.ebs();
            bdms.add(new Views.BlockDevice(m.deviceName(), e == null ? null : e.snapshotId(),
                    e == null ? null : e.volumeSize(), e == null ? null : e.volumeTypeAsString(),
                    e == null ? null : e.encrypted(), e == null ? null : e.kmsKeyId(),
                    e == null ? null : e.deleteOnTermination()));
        }
        return new Views.Image(a.id, a.region, a.name, a.description, life.imageState(a), a.created, a.architecture,
                a.rootDeviceName, a.virtualizationType, a.kernelId, a.ramdiskId, a.enaSupport, a.sriovNetSupport,
                a.bootMode, a.imdsSupport, a.tpmSupport, a.uefiData, List.copyOf(bdms), copy(a.tags),
                new LinkedHashSet<>(a.launchGroups), new LinkedHashSet<>(a.launchUsers), a.isPublic(),
                a.deprecationTime, a.sourceImageId, a.sourceRegion, new LinkedHashSet<>(a.launchOrganizations),
                new LinkedHashSet<>(a.launchOrganizationalUnits), LifeCycles.deregistrationProtection(a),
                a.lastLaunchedTime, a.rootDeviceType(), a.imageLocation,
                a.instanceStoreRoot == null ? null : a.instanceStoreRoot.failure);
    }

    private Views.Snapshot snapshot(Model.SnapRec s) {
        int stored = (int) s.blocks.values().stream().filter(k -> !BlockStore.ZERO.equals(k)).count();
        return new Views.Snapshot(s.id, s.region, life.snapshotState(s), life.snapshotProgress(s), s.sizeGiB,
                s.description, s.volumeId, s.encrypted, s.kmsKeyId, copy(s.tags),
                new LinkedHashSet<>(s.volumePermissionGroups), new LinkedHashSet<>(s.volumePermissionUsers),
                s.ebsDirect, stored, s.created);
    }

    private Views.Instance instance(Model.InstRec i) {
        String userData = null;
        if (i.userData != null) {
            try {
                userData = new String(Base64.getMimeDecoder().decode(i.userData), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                userData = i.userData;
            }
        }
        String console = engine.instances().console(i);
        return new Views.Instance(i.id, i.region, life.instanceState(i), life.statusCheck(i), i.imageId,
                i.instanceType, i.availabilityZone, i.keyName, List.copyOf(i.securityGroupIds), copy(i.tags),
                i.privateIp, i.publicIp, copy(i.devices), userData, console, engine.instances().userDataFinished(i),
                i.created, i.subnetId, i.vpcId, i.terminatedAt, i.rootDeviceType());
    }

    private Views.Volume volume(Model.VolRec v) {
        return new Views.Volume(v.id, v.region, life.volumeState(v), v.sizeGiB, v.snapshotId, v.availabilityZone,
                v.volumeType, v.encrypted, v.attachedTo, v.device, v.deleteOnTermination, copy(v.tags));
    }

    private static Map<String, String> copy(Map<String, String> m) {
        return Collections.unmodifiableMap(new LinkedHashMap<>(m));
    }

    List<Views.QuotaUse> quotas(String region) {
        synchronized (engine) {
            RegionState state = engine.region(region);
            List<Views.QuotaUse> out = new ArrayList<>();
            for (Quota q : Quota.values()) {
                out.add(new Views.QuotaUse(q.key(), q.code(), q.quotaName(), engine.quotas().value(region, q),
                        QuotaUsage.used(q, state, life)));
            }
            return out;
        }
    }

    Views.LiveResources live() {
        synchronized (engine) {
            int pending = 0;
            int running = 0;
            int volumes = 0;
            int snapshots = 0;
            int images = 0;
            int keys = 0;
            int groups = 0;
            for (RegionState r : engine.regions().values()) {
                for (Model.InstRec i : r.instances.values()) {
                    String state = life.instanceState(i);
                    if (state.equals("pending")) {
                        pending++;
                    } else if (state.equals("running")) {
                        running++;
                    }
                }
                volumes += r.volumes.size();
                snapshots += r.snapshots.size();
                images += r.images.size();
                keys += r.keyPairs.size();
                groups += (int) r.securityGroups.values().stream().filter(g -> !g.isDefault).count();
            }
            long[] s3 = engine.s3().counts();
            return new Views.LiveResources(pending, running, volumes, snapshots, images, keys, groups, s3[0], s3[1],
                    s3[2]);
        }
    }

    /** SHA-256 (hex) of an instance-store AMI's reassembled image; outside the lock, block by block. */
    Optional<String> imageSha256(String region, String imageId) {
        Model.ImageContent content;
        synchronized (engine) {
            Model.AmiRec ami = engine.region(region).images.get(imageId);
            content = ami == null ? null : ami.instanceStoreRoot;
        }
        if (content == null) {
            return Optional.empty();
        }
        if (content.readyAt == null) {
            throw new IllegalStateException("the image of " + imageId + " is not reassembled"
                    + (content.failure == null ? " yet" : ": " + content.failure));
        }
        return Optional.of(engine.content().contentSha256(content));
    }

    /** SHA-256 (hex) of an instance's root disk, as a backend would boot it. */
    Optional<String> instanceRootSha256(String region, String instanceId) {
        Path disk;
        synchronized (engine) {
            Model.InstRec inst = engine.region(region).instances.get(instanceId);
            if (inst == null) {
                return Optional.empty();
            }
            disk = engine.content().rootDisk(inst);
        }
        try (InputStream in = Files.newInputStream(disk)) {
            MessageDigest sha = BlockStore.newSha256();
            byte[] buf = new byte[BlockStore.BLOCK_SIZE];
            for (int n; (n = in.read(buf)) >= 0;) {
                sha.update(buf, 0, n);
            }
            return Optional.of(HexFormat.of().formatHex(sha.digest()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** SHA-256 (hex) of a snapshot's full logical content; computed outside the lock, block by block. */
    Optional<String> snapshotSha256(String region, String snapshotId) {
        Model.SnapRec snap;
        synchronized (engine) {
            snap = engine.region(region).snapshots.get(snapshotId);
        }
        return snap == null ? Optional.empty() : Optional.of(engine.content().snapshotSha256(snap));
    }
}
