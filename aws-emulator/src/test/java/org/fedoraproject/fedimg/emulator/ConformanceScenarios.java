package org.fedoraproject.fedimg.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import software.amazon.awssdk.services.ec2.Ec2AsyncClient;
import software.amazon.awssdk.services.ec2.model.CreateVolumePermission;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.Image;
import software.amazon.awssdk.services.ec2.model.ImageAttributeName;
import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.LaunchPermission;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.SnapshotAttributeName;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagSpecification;

/**
 * The pipeline's AWS scenarios, written once and run against the emulator and against moto. Assertions that
 * moto cannot satisfy (it drops RegisterImage details, has no pending states, no deprecation, no block public
 * access) are guarded by {@link #faithful()}; everything else must hold on both.
 */
abstract class ConformanceScenarios implements S3ConformanceScenarios {

    static final String BASE = "us-east-1";
    static final String OTHER = "eu-west-1";

    /** The SDK pointed at the target. */
    @Override
    public abstract Sdk sdk();

    /** True for the emulator: checks AWS behaviour that moto does not model. */
    @Override
    public abstract boolean faithful();

    abstract void resetTarget();

    @AfterEach
    void reset() {
        resetTarget();
    }

    Ec2AsyncClient ec2(String region) {
        return sdk().ec2(region);
    }

    static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    String uploadedSnapshot(String region) {
        String snap = sdk().uploadSnapshot(region, 1, Map.of(0, Sdk.block(0), 10, Sdk.block(10)),
                Map.of("fedimg:purpose", "snapshot"));
        await().atMost(Duration.ofSeconds(30)).until(() -> ec2(region).describeSnapshots(b -> b.snapshotIds(snap))
                .join().snapshots().get(0).stateAsString().equals("completed"));
        return snap;
    }

    String registered(String region, String name) {
        String snap = uploadedSnapshot(region);
        String ami = ec2(region).registerImage(Sdk.fedoraRegistration(name, snap)).join().imageId();
        await().atMost(Duration.ofSeconds(30)).until(() -> image(region, ami).stateAsString().equals("available"));
        return ami;
    }

    Image image(String region, String ami) {
        return ec2(region).describeImages(b -> b.imageIds(ami)).join().images().get(0);
    }

    @Test
    void registerAnImageFromAnEbsDirectSnapshot() {
        String name = unique("Fedora-Cloud-Base-41");
        String snap = uploadedSnapshot(BASE);
        var snapshot = ec2(BASE).describeSnapshots(b -> b.snapshotIds(snap)).join().snapshots().get(0);
        assertThat(snapshot.volumeSize()).isEqualTo(1);
        assertThat(snapshot.tags()).extracting(Tag::key).contains("fedimg:purpose");
        String ami = ec2(BASE).registerImage(Sdk.fedoraRegistration(name, snap)).join().imageId();
        await().atMost(Duration.ofSeconds(30)).until(() -> image(BASE, ami).stateAsString().equals("available"));
        Image found = ec2(BASE).describeImages(b -> b.owners("self")
                .filters(Filter.builder().name("name").values(name).build())).join().images().get(0);
        assertThat(found.imageId()).isEqualTo(ami);
        assertThat(found.name()).isEqualTo(name);
        if (faithful()) {
            assertThat(found.blockDeviceMappings().get(0).ebs().snapshotId()).isEqualTo(snap);
            assertThat(found.enaSupport()).isTrue();
            assertThat(found.bootModeAsString()).isEqualTo("uefi-preferred");
            assertThat(found.imdsSupportAsString()).isEqualTo("v2.0");
        }
        var blocks = sdk().ebs(BASE).listSnapshotBlocks(b -> b.snapshotId(snap)).join().blocks();
        assertThat(blocks).extracting(b -> b.blockIndex()).containsExactly(0, 10);
    }

    @Test
    void copyAnImageToAnotherRegion() {
        String name = unique("Fedora-copy");
        String ami = registered(BASE, name);
        String copy = ec2(OTHER).copyImage(b -> b.sourceRegion(BASE).sourceImageId(ami).name(name)
                .description("copied")).join().imageId();
        assertThat(copy).isNotEqualTo(ami).startsWith("ami-");
        await().atMost(Duration.ofSeconds(30)).until(() -> image(OTHER, copy).stateAsString().equals("available"));
        assertThat(image(OTHER, copy).name()).isEqualTo(name);
        assertThat(ec2(OTHER).describeImages(b -> b.filters(Filter.builder().name("name").values(name).build()))
                .join().images()).extracting(Image::imageId).containsExactly(copy);
        assertThatThrownBy(() -> image(BASE, copy)).satisfies(t -> assertThat(Sdk.errorCode(t))
                .isEqualTo("InvalidAMIID.NotFound"));
    }

    @Test
    void makeAnImagePublic() {
        String ami = registered(BASE, unique("Fedora-public"));
        ec2(BASE).modifyImageAttribute(b -> b.imageId(ami).launchPermission(p -> p
                .add(LaunchPermission.builder().group("all").build()))).join();
        var perms = ec2(BASE).describeImageAttribute(b -> b.imageId(ami)
                .attribute(ImageAttributeName.LAUNCH_PERMISSION)).join().launchPermissions();
        assertThat(perms).extracting(LaunchPermission::groupAsString).containsExactly("all");
        assertThat(image(BASE, ami).publicLaunchPermissions()).isTrue();
        assertThat(ec2(BASE).describeImages(b -> b.executableUsers("all")).join().images())
                .extracting(Image::imageId).contains(ami);
        ec2(BASE).modifyImageAttribute(b -> b.imageId(ami).launchPermission(p -> p
                .remove(LaunchPermission.builder().group("all").build()))).join();
        assertThat(image(BASE, ami).publicLaunchPermissions()).isFalse();
    }

    @Test
    void tagAndFindByTag() {
        String ami = registered(BASE, unique("Fedora-tagged"));
        String key = unique("F41");
        ec2(BASE).createTags(b -> b.resources(ami).tags(Tag.builder().key("fedimg:image-key").value(key).build()))
                .join();
        assertThat(ec2(BASE).describeImages(b -> b.filters(Filter.builder().name("tag:fedimg:image-key").values(key)
                .build())).join().images()).extracting(Image::imageId).containsExactly(ami);
        assertThat(ec2(BASE).describeTags(b -> b.filters(Filter.builder().name("resource-id").values(ami).build()))
                .join().tags()).anySatisfy(t -> assertThat(t.value()).isEqualTo(key));
        ec2(BASE).deregisterImage(b -> b.imageId(ami)).join();
        assertThat(ec2(BASE).describeImages(b -> b.filters(Filter.builder().name("tag:fedimg:image-key").values(key)
                .build())).join().images()).isEmpty();
    }

    @Test
    void runAndTerminateAnInstance() {
        String ami = registered(BASE, unique("Fedora-run"));
        String keyName = unique("fedimg-test");
        String material = ec2(BASE).createKeyPair(b -> b.keyName(keyName)).join().keyMaterial();
        assertThat(material).contains("PRIVATE KEY");
        String sg = ec2(BASE).createSecurityGroup(b -> b.groupName(unique("fedimg-test")).description("test ssh"))
                .join().groupId();
        ec2(BASE).authorizeSecurityGroupIngress(b -> b.groupId(sg).ipPermissions(p -> p.ipProtocol("tcp").fromPort(22)
                .toPort(22).ipRanges(r -> r.cidrIp("0.0.0.0/0")))).join();
        String id = ec2(BASE).runInstances(b -> b.imageId(ami).instanceType("t3.micro").minCount(1).maxCount(1)
                .keyName(keyName).securityGroupIds(sg).tagSpecifications(TagSpecification.builder()
                        .resourceType(ResourceType.INSTANCE).tags(Tag.builder().key("fedimg:purpose")
                                .value("test-instance").build()).build())).join().instances().get(0).instanceId();
        await().atMost(Duration.ofSeconds(30)).until(() -> instance(id).state().nameAsString().equals("running"));
        Instance running = instance(id);
        assertThat(running.keyName()).isEqualTo(keyName);
        assertThat(running.imageId()).isEqualTo(ami);
        assertThat(running.tags()).extracting(Tag::value).contains("test-instance");
        assertThat(ec2(BASE).describeInstances(b -> b.filters(Filter.builder().name("tag:fedimg:purpose")
                .values("test-instance").build(), Filter.builder().name("instance-state-name").values("running")
                .build())).join().reservations()).isNotEmpty();
        assertThat(ec2(BASE).describeInstanceStatus(b -> b.instanceIds(id)).join().instanceStatuses()).hasSize(1);
        ec2(BASE).terminateInstances(b -> b.instanceIds(id)).join();
        await().atMost(Duration.ofSeconds(30)).until(() -> instance(id).state().nameAsString().equals("terminated"));
        ec2(BASE).deleteKeyPair(b -> b.keyName(keyName)).join();
        ec2(BASE).deleteSecurityGroup(b -> b.groupId(sg)).join();
    }

    @Test
    void launchIntoASubnetOfANewVpc() {
        String ami = registered(BASE, unique("Fedora-vpc"));
        String defaultVpc = ec2(BASE).describeVpcs(b -> b.filters(Filter.builder().name("is-default").values("true")
                .build())).join().vpcs().get(0).vpcId();
        String vpc = ec2(BASE).createVpc(b -> b.cidrBlock("10.42.0.0/16")).join().vpc().vpcId();
        String subnet = ec2(BASE).createSubnet(b -> b.vpcId(vpc).cidrBlock("10.42.1.0/24").availabilityZone(BASE + "a"))
                .join().subnet().subnetId();
        assertThat(ec2(BASE).describeSubnets(b -> b.subnetIds(subnet)).join().subnets()).singleElement()
                .satisfies(s -> {
                    assertThat(s.vpcId()).isEqualTo(vpc);
                    assertThat(s.cidrBlock()).isEqualTo("10.42.1.0/24");
                    assertThat(s.defaultForAz()).isFalse();
                });
        assertThat(ec2(BASE).describeSubnets(b -> b.filters(Filter.builder().name("vpc-id").values(defaultVpc)
                .build())).join().subnets()).isNotEmpty().allSatisfy(s -> assertThat(s.defaultForAz()).isTrue());
        String sg = ec2(BASE).createSecurityGroup(b -> b.groupName(unique("fedimg-test")).description("test ssh")
                .vpcId(vpc)).join().groupId();
        assertThat(ec2(BASE).describeSecurityGroups(b -> b.groupIds(sg)).join().securityGroups().get(0).vpcId())
                .isEqualTo(vpc);
        String id = ec2(BASE).runInstances(b -> b.imageId(ami).instanceType("t3.micro").minCount(1).maxCount(1)
                .subnetId(subnet).securityGroupIds(sg)).join().instances().get(0).instanceId();
        Instance launched = instance(id);
        assertThat(launched.vpcId()).isEqualTo(vpc);
        assertThat(launched.subnetId()).isEqualTo(subnet);
        assertThat(launched.privateIpAddress()).startsWith("10.42.1.");
        assertThat(launched.securityGroups()).extracting(g -> g.groupId()).containsExactly(sg);
        ec2(BASE).terminateInstances(b -> b.instanceIds(id)).join();
    }

    Instance instance(String id) {
        return ec2(BASE).describeInstances(b -> b.instanceIds(id)).join().reservations().get(0).instances().get(0);
    }

    @Test
    void volumesAttachDetachAndSnapshot() {
        String ami = registered(BASE, unique("Fedora-utility"));
        String id = ec2(BASE).runInstances(b -> b.imageId(ami).instanceType("t3.micro").minCount(1).maxCount(1)
                .placement(p -> p.availabilityZone("us-east-1a"))).join().instances().get(0).instanceId();
        await().atMost(Duration.ofSeconds(30)).until(() -> instance(id).state().nameAsString().equals("running"));
        String vol = ec2(BASE).createVolume(b -> b.availabilityZone("us-east-1a").size(2).volumeType("gp3")).join()
                .volumeId();
        await().atMost(Duration.ofSeconds(30)).until(() -> volumeState(vol).equals("available"));
        ec2(BASE).attachVolume(b -> b.volumeId(vol).instanceId(id).device("/dev/sdf")).join();
        await().atMost(Duration.ofSeconds(30)).until(() -> volumeState(vol).equals("in-use"));
        // moto needs InstanceId and Device on DetachVolume (AWS does not): send them, valid on both.
        ec2(BASE).detachVolume(b -> b.volumeId(vol).instanceId(id).device("/dev/sdf")).join();
        await().atMost(Duration.ofSeconds(30)).until(() -> volumeState(vol).equals("available"));
        String snap = ec2(BASE).createSnapshot(b -> b.volumeId(vol).description("utility image")).join().snapshotId();
        await().atMost(Duration.ofSeconds(30)).until(() -> ec2(BASE).describeSnapshots(b -> b.snapshotIds(snap)).join()
                .snapshots().get(0).stateAsString().equals("completed"));
        assertThat(ec2(BASE).describeSnapshots(b -> b.snapshotIds(snap)).join().snapshots().get(0).volumeId())
                .isEqualTo(vol);
        ec2(BASE).deleteVolume(b -> b.volumeId(vol)).join();
        ec2(BASE).deleteSnapshot(b -> b.snapshotId(snap)).join();
        ec2(BASE).terminateInstances(b -> b.instanceIds(id)).join();
    }

    String volumeState(String vol) {
        return ec2(BASE).describeVolumes(b -> b.volumeIds(vol)).join().volumes().get(0).stateAsString();
    }

    @Test
    void shareASnapshot() {
        String snap = uploadedSnapshot(BASE);
        if (faithful()) {
            // moto only understands the OperationType + GroupNames form.
            ec2(BASE).modifySnapshotAttribute(b -> b.snapshotId(snap).attribute("createVolumePermission")
                    .createVolumePermission(p -> p.add(CreateVolumePermission.builder().group("all").build()))).join();
        } else {
            ec2(BASE).modifySnapshotAttribute(b -> b.snapshotId(snap).attribute("createVolumePermission")
                    .operationType("add").groupNames("all")).join();
        }
        assertThat(ec2(BASE).describeSnapshotAttribute(b -> b.snapshotId(snap)
                .attribute(SnapshotAttributeName.CREATE_VOLUME_PERMISSION)).join().createVolumePermissions())
                .extracting(CreateVolumePermission::groupAsString).containsExactly("all");
        ec2(BASE).modifySnapshotAttribute(b -> b.snapshotId(snap).attribute("createVolumePermission")
                .operationType("remove").groupNames("all")).join();
        assertThat(ec2(BASE).describeSnapshotAttribute(b -> b.snapshotId(snap)
                .attribute(SnapshotAttributeName.CREATE_VOLUME_PERMISSION)).join().createVolumePermissions()).isEmpty();
    }

    @Test
    void regionsAndZones() {
        List<String> regions = ec2(BASE).describeRegions().join().regions().stream().map(r -> r.regionName()).toList();
        assertThat(regions).contains("us-east-1", "eu-west-1", "ap-northeast-1");
        assertThat(ec2(OTHER).describeAvailabilityZones().join().availabilityZones())
                .extracting(z -> z.zoneName()).contains("eu-west-1a", "eu-west-1b");
    }

    @Test
    void errorsForMissingAndDuplicateResources() {
        String name = unique("Fedora-dup");
        String ami = registered(BASE, name);
        assertThatThrownBy(() -> ec2(BASE).describeImages(b -> b.imageIds("ami-0123456789abcdef0")).join())
                .satisfies(t -> assertThat(Sdk.errorCode(t)).isEqualTo("InvalidAMIID.NotFound"));
        assertThatThrownBy(() -> ec2(BASE).describeSnapshots(b -> b.snapshotIds("snap-0123456789abcdef0")).join())
                .satisfies(t -> assertThat(Sdk.errorCode(t)).isEqualTo("InvalidSnapshot.NotFound"));
        assertThatThrownBy(() -> ec2(BASE).describeInstances(b -> b.instanceIds("i-0123456789abcdef0")).join())
                .satisfies(t -> assertThat(Sdk.errorCode(t)).isEqualTo("InvalidInstanceID.NotFound"));
        if (faithful()) {
            String snap = image(BASE, ami).blockDeviceMappings().get(0).ebs().snapshotId();
            assertThatThrownBy(() -> ec2(BASE).registerImage(Sdk.fedoraRegistration(name, snap)).join())
                    .satisfies(t -> assertThat(Sdk.errorCode(t)).isEqualTo("InvalidAMIName.Duplicate"));
        }
    }

    /** The account both moto and the emulator own resources as by default. */
    static final String ACCOUNT = "123456789012";

    @Test
    void findThePublishedAmiByOwnerNameAndVisibility() {
        String snap = uploadedSnapshot(BASE);
        String prefix = unique("Fedora-Cloud-Base-AmazonEC2.x86_64");
        String older = ec2(BASE).registerImage(Sdk.fedoraRegistration(prefix + "-41-1.4", snap)).join().imageId();
        String published = ec2(BASE).registerImage(Sdk.fedoraRegistration(prefix + "-41-1.5", snap)).join().imageId();
        String other = ec2(BASE).registerImage(Sdk.fedoraRegistration(prefix + "-42-1.1", snap)).join().imageId();
        for (String ami : List.of(older, published, other)) {
            await().atMost(Duration.ofSeconds(30)).until(() -> image(BASE, ami).stateAsString().equals("available"));
        }
        ec2(BASE).modifyImageAttribute(b -> b.imageId(published).attribute("launchPermission").operationType("add")
                .userGroups("all")).join();
        Filter release41 = Filter.builder().name("name").values(prefix + "-41-*").build();
        assertThat(ids(ec2(BASE).describeImages(b -> b.owners(ACCOUNT).filters(release41)).join().images()))
                .containsExactlyInAnyOrder(older, published);
        assertThat(ids(ec2(BASE).describeImages(b -> b.owners("self").filters(release41,
                Filter.builder().name("is-public").values("true").build())).join().images()))
                .containsExactly(published);
        assertThat(ids(ec2(BASE).describeImages(b -> b.filters(release41,
                Filter.builder().name("owner-id").values(ACCOUNT).build())).join().images()))
                .containsExactlyInAnyOrder(older, published);
        assertThat(ids(ec2(BASE).describeImages(b -> b.executableUsers("all").filters(release41)).join().images()))
                .containsExactly(published);
        assertThat(ec2(BASE).describeImages(b -> b.owners("210987654321").filters(release41)).join().images())
                .isEmpty();
        if (faithful()) {
            // moto's RegisterImage keeps no architecture or virtualization type and calls the root "standard".
            assertThat(ids(ec2(BASE).describeImages(b -> b.owners(ACCOUNT).filters(release41,
                    Filter.builder().name("root-device-type").values("ebs").build(),
                    Filter.builder().name("virtualization-type").values("hvm").build(),
                    Filter.builder().name("architecture").values("x86_64").build())).join().images()))
                    .containsExactlyInAnyOrder(older, published);
        }
    }

    @Test
    void instanceTypesThatBootParavirtualAmis() {
        var types = ec2(BASE).describeInstanceTypes(b -> b.instanceTypesWithStrings("m3.medium", "t3.micro")).join()
                .instanceTypes();
        assertThat(types).filteredOn(t -> t.instanceTypeAsString().equals("m3.medium")).singleElement()
                .satisfies(t -> {
                    assertThat(t.supportedVirtualizationTypesAsStrings()).contains("hvm", "paravirtual");
                    assertThat(t.currentGeneration()).isFalse();
                });
        assertThat(types).filteredOn(t -> t.instanceTypeAsString().equals("t3.micro")).singleElement()
                .satisfies(t -> assertThat(t.supportedVirtualizationTypesAsStrings()).containsExactly("hvm"));
        assertThat(ec2(BASE).describeInstanceTypes(b -> b.filters(Filter.builder()
                .name("supported-virtualization-type").values("paravirtual").build())).join().instanceTypes())
                .extracting(t -> t.instanceTypeAsString()).contains("m3.medium", "m1.small", "c3.large", "t1.micro")
                .doesNotContain("t3.micro", "m5.large");
        Filter candidates = Filter.builder().name("instance-type").values("m3.medium", "m1.small", "t3.micro").build();
        assertThat(offered(BASE, candidates)).containsExactlyInAnyOrder("m3.medium", "m1.small", "t3.micro");
        assertThat(offered("eu-central-1", candidates)).containsExactlyInAnyOrder("m3.medium", "t3.micro");
        assertThat(offered("eu-north-1", candidates)).containsExactly("t3.micro");
    }

    List<String> offered(String region, Filter filter) {
        return ec2(region).describeInstanceTypeOfferings(b -> b.filters(filter)).join().instanceTypeOfferings()
                .stream().map(o -> o.instanceTypeAsString()).toList();
    }

    @Test
    void shareWithAnOrganizationAndAnOrganizationalUnit() {
        String ami = registered(BASE, unique("Fedora-org"));
        String org = "arn:aws:organizations::" + ACCOUNT + ":organization/o-abcdefghij";
        String ou = "arn:aws:organizations::" + ACCOUNT + ":ou/o-abcdefghij/ou-ab12-cdefghij";
        // moto takes one organization or OU per call, in the OperationType form.
        ec2(BASE).modifyImageAttribute(b -> b.imageId(ami).attribute("launchPermission").operationType("add")
                .organizationArns(org)).join();
        ec2(BASE).modifyImageAttribute(b -> b.imageId(ami).attribute("launchPermission").operationType("add")
                .organizationalUnitArns(ou)).join();
        assertThat(launchPermissions(ami)).extracting(LaunchPermission::organizationArn,
                LaunchPermission::organizationalUnitArn).containsExactlyInAnyOrder(
                        tuple(org, null), tuple(null, ou));
        ec2(BASE).modifyImageAttribute(b -> b.imageId(ami).attribute("launchPermission").operationType("remove")
                .organizationArns(org)).join();
        assertThat(launchPermissions(ami)).extracting(LaunchPermission::organizationalUnitArn).containsExactly(ou);
        assertThat(image(BASE, ami).publicLaunchPermissions()).isFalse();
    }

    List<LaunchPermission> launchPermissions(String ami) {
        return ec2(BASE).describeImageAttribute(b -> b.imageId(ami).attribute(ImageAttributeName.LAUNCH_PERMISSION))
                .join().launchPermissions();
    }

    static List<String> ids(List<Image> images) {
        return images.stream().map(Image::imageId).toList();
    }
}
