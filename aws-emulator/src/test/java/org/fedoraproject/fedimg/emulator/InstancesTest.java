package org.fedoraproject.fedimg.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import software.amazon.awssdk.services.ec2.model.Instance;
import software.amazon.awssdk.services.ec2.model.InstanceStatus;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.RunInstancesRequest;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagSpecification;

class InstancesTest extends EmulatorTest {

    static RunInstancesRequest.Builder run(String ami, String script) {
        RunInstancesRequest.Builder b = RunInstancesRequest.builder().imageId(ami).instanceType("t3.micro")
                .minCount(1).maxCount(1)
                .tagSpecifications(TagSpecification.builder().resourceType(ResourceType.INSTANCE)
                        .tags(Tag.builder().key("fedimg:purpose").value("test-instance").build()).build());
        if (script != null) {
            b.userData(Base64.getEncoder().encodeToString(script.getBytes(StandardCharsets.UTF_8)));
        }
        return b;
    }

    static String console(String instanceId) {
        String out = ec2().getConsoleOutput(b -> b.instanceId(instanceId).latest(true)).join().output();
        return out == null ? "" : new String(Base64.getDecoder().decode(out), StandardCharsets.UTF_8);
    }

    @Test
    void runDescribeStatusAndTerminate() {
        String ami = registeredImage(US_EAST_1, "Fedora-run");
        Instance inst = ec2().runInstances(run(ami, null).build()).join().instances().get(0);
        assertThat(inst.instanceId()).startsWith("i-");
        Instance described = ec2().describeInstances(b -> b.instanceIds(inst.instanceId())).join().reservations()
                .get(0).instances().get(0);
        assertThat(described.state().nameAsString()).isEqualTo("running");
        assertThat(described.publicIpAddress()).isEqualTo("127.0.0.1");
        assertThat(described.privateIpAddress()).startsWith("172.31.");
        assertThat(described.blockDeviceMappings()).hasSize(1);
        assertThat(described.rootDeviceName()).isEqualTo("/dev/sda1");
        assertThat(described.tags()).extracting(Tag::value).containsExactly("test-instance");
        InstanceStatus status = ec2().describeInstanceStatus(b -> b.instanceIds(inst.instanceId())).join()
                .instanceStatuses().get(0);
        assertThat(status.instanceStatus().statusAsString()).isEqualTo("ok");
        assertThat(status.systemStatus().statusAsString()).isEqualTo("ok");
        assertThat(aws.inspect().liveResources().runningInstances()).isEqualTo(1);
        assertThat(aws.inspect().volumes(US_EAST_1)).hasSize(1);

        ec2().terminateInstances(b -> b.instanceIds(inst.instanceId())).join();
        assertThat(ec2().describeInstances(b -> b.instanceIds(inst.instanceId())).join().reservations().get(0)
                .instances().get(0).state().nameAsString()).isEqualTo("terminated");
        assertThat(ec2().describeInstanceStatus(b -> b.instanceIds(inst.instanceId())).join().instanceStatuses())
                .isEmpty();
        assertThat(aws.inspect().liveResources().instances()).isZero();
        assertThat(aws.inspect().volumes(US_EAST_1)).as("root volume deleted on termination").isEmpty();
    }

    @Test
    void lifeCycleAndStatusChecksTakeTheirTime() {
        aws.delays(Delays.builder().instancePending(Duration.ofMillis(800)).instanceStatusChecks(Duration.ofMillis(800))
                .instanceShutdown(Duration.ofMillis(500)).build());
        String ami = registeredImage(US_EAST_1, "Fedora-slow-boot");
        String id = ec2().runInstances(run(ami, null).build()).join().instances().get(0).instanceId();
        assertThat(state(id)).isEqualTo("pending");
        await().atMost(Duration.ofSeconds(10)).until(() -> state(id).equals("running"));
        assertThat(ec2().describeInstanceStatus(b -> b.instanceIds(id)).join().instanceStatuses().get(0)
                .instanceStatus().statusAsString()).isEqualTo("initializing");
        await().atMost(Duration.ofSeconds(10)).until(() -> ec2().describeInstanceStatus(b -> b.instanceIds(id)).join()
                .instanceStatuses().get(0).instanceStatus().statusAsString().equals("ok"));
        ec2().terminateInstances(b -> b.instanceIds(id)).join();
        assertThat(state(id)).isEqualTo("shutting-down");
        await().atMost(Duration.ofSeconds(10)).until(() -> state(id).equals("terminated"));
    }

    @Test
    void statusChecksCanNeverPass() {
        aws.faults().instanceNeverPassesStatusChecks(true);
        String ami = registeredImage(US_EAST_1, "Fedora-impaired");
        String id = ec2().runInstances(run(ami, null).build()).join().instances().get(0).instanceId();
        InstanceStatus status = ec2().describeInstanceStatus(b -> b.instanceIds(id)).join().instanceStatuses().get(0);
        assertThat(status.instanceStatus().statusAsString()).isEqualTo("impaired");
        assertThat(status.instanceStatus().details().get(0).statusAsString()).isEqualTo("failed");
    }

    @Test
    void userDataRunsAndItsOutputIsTheConsole() {
        String ami = registeredImage(US_EAST_1, "Fedora-userdata");
        String ok = ec2().runInstances(run(ami, "#!/bin/bash\necho 'FEDIMG-TEST: PASS'\nuname -s\n").build()).join()
                .instances().get(0).instanceId();
        String bad = ec2().runInstances(run(ami, "#!/bin/bash\necho about to fail >&2\nexit 3\n").build()).join()
                .instances().get(0).instanceId();
        await().atMost(Duration.ofSeconds(20)).until(() -> console(ok).contains("Cloud-init v. 24.1 finished"));
        assertThat(console(ok)).contains("FEDIMG-TEST: PASS").contains("Linux").doesNotContain("Failed to run module");
        await().atMost(Duration.ofSeconds(20)).until(() -> console(bad).contains("Cloud-init v. 24.1 finished"));
        assertThat(console(bad)).contains("about to fail").contains("Failed to run module scripts-user")
                .contains("exit status 3");
        assertThat(aws.inspect().instance(US_EAST_1, ok).orElseThrow().userDataFinished()).isTrue();
    }

    @Test
    void scriptWritesTheAttachedVolumeAndTheSnapshotHoldsExactlyThoseBytes() throws Exception {
        String ami = registeredImage(US_EAST_1, "Fedora-utility");
        // The utility-instance pattern: wait for the device, write the image onto it, power off.
        String script = "#!/bin/bash\nset -euo pipefail\n"
                + "while [ ! -b /dev/xvdf ]; do sleep 0.2; done\n"
                + "echo \"size $(blockdev --getsize64 /dev/xvdf)\"\n"
                + "printf 'FEDORA-IMAGE-HEADER' | dd of=/dev/xvdf bs=512 conv=notrunc status=none\n"
                + "head -c 1048576 /dev/zero | tr '\\0' 'F' | dd of=/dev/nvme1n1 bs=1M seek=3 conv=notrunc status=none\n"
                + "sync\necho UPLOAD-DONE\nsudo shutdown -h now\n";
        String id = ec2().runInstances(run(ami, script).instanceInitiatedShutdownBehavior("terminate").build()).join()
                .instances().get(0).instanceId();
        String vol = ec2().createVolume(b -> b.availabilityZone("us-east-1a").size(1).volumeType("gp3")).join()
                .volumeId();
        ec2().attachVolume(b -> b.volumeId(vol).instanceId(id).device("/dev/sdf")).join();
        await().atMost(Duration.ofSeconds(30)).until(() -> console(id).contains("UPLOAD-DONE"));
        await().atMost(Duration.ofSeconds(10)).until(() -> state(id).equals("terminated"));
        assertThat(console(id)).contains("size 1073741824");
        String snap = ec2().createSnapshot(b -> b.volumeId(vol).description("from utility")).join().snapshotId();
        await().atMost(Duration.ofSeconds(30)).until(() -> ec2().describeSnapshots(b -> b.snapshotIds(snap)).join()
                .snapshots().get(0).stateAsString().equals("completed"));

        java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
        byte[] first = new byte[Sdk.BLOCK];
        System.arraycopy("FEDORA-IMAGE-HEADER".getBytes(StandardCharsets.US_ASCII), 0, first, 0, 19);
        byte[] fs = new byte[Sdk.BLOCK];
        java.util.Arrays.fill(fs, (byte) 'F');
        for (int i = 0; i < 2048; i++) {
            sha.update(i == 0 ? first : i >= 6 && i < 8 ? fs : new byte[Sdk.BLOCK]);
        }
        assertThat(aws.inspect().snapshotSha256(US_EAST_1, snap)).isEqualTo(java.util.HexFormat.of()
                .formatHex(sha.digest()));
        assertThat(aws.inspect().snapshot(US_EAST_1, snap).orElseThrow().storedBlocks()).isEqualTo(3);
        assertThat(sdk.ebs(US_EAST_1).listSnapshotBlocks(b -> b.snapshotId(snap)).join().blocks()).hasSize(3);
    }

    @Test
    void runInstancesIsIdempotentByClientTokenAndValidates() {
        String ami = registeredImage(US_EAST_1, "Fedora-token");
        RunInstancesRequest req = run(ami, null).clientToken("job-42").build();
        String first = ec2().runInstances(req).join().instances().get(0).instanceId();
        String second = ec2().runInstances(req).join().instances().get(0).instanceId();
        assertThat(second).isEqualTo(first);
        assertAwsError(() -> ec2().runInstances(req.toBuilder().instanceType("t3.small").build()).join(),
                "IdempotentParameterMismatch");
        assertAwsError(() -> ec2().runInstances(run(ami, null).instanceType("t4g.micro").build()).join(),
                "InvalidParameterValue");
        assertAwsError(() -> ec2().runInstances(run("ami-0123456789abcdef0", null).build()).join(),
                "InvalidAMIID.NotFound");
        assertAwsError(() -> ec2().runInstances(run(ami, null).keyName("missing").build()).join(),
                "InvalidKeyPair.NotFound");
        assertThat(aws.inspect().instances(US_EAST_1)).hasSize(1);
    }

    @Test
    void keyPairsAndSecurityGroupsForTestInstances() {
        String ami = registeredImage(US_EAST_1, "Fedora-ssh");
        var key = ec2().createKeyPair(b -> b.keyName("fedimg-test-1").tagSpecifications(TagSpecification.builder()
                .resourceType(ResourceType.KEY_PAIR).tags(Tag.builder().key("fedimg:purpose").value("test-key").build())
                .build())).join();
        assertThat(key.keyMaterial()).startsWith("-----BEGIN RSA PRIVATE KEY-----");
        var ed = ec2().createKeyPair(b -> b.keyName("fedimg-test-ed").keyType("ed25519")).join();
        assertThat(ed.keyMaterial()).startsWith("-----BEGIN OPENSSH PRIVATE KEY-----");
        assertAwsError(() -> ec2().createKeyPair(b -> b.keyName("fedimg-test-1")).join(), "InvalidKeyPair.Duplicate");
        var imported = ec2().importKeyPair(b -> b.keyName("imported").publicKeyMaterial(
                software.amazon.awssdk.core.SdkBytes.fromUtf8String("ssh-ed25519 "
                        + "AAAAC3NzaC1lZDI1NTE5AAAAIGh0dHBzOi8vZmVkb3JhcHJvamVjdC5vcmcvZmVkaW1n test@fedora"))).join();
        assertThat(imported.keyFingerprint()).isNotBlank();

        String sg = ec2().createSecurityGroup(b -> b.groupName("fedimg-test-sg").description("ssh for tests")).join()
                .groupId();
        ec2().authorizeSecurityGroupIngress(b -> b.groupId(sg).ipPermissions(p -> p.ipProtocol("tcp").fromPort(22)
                .toPort(22).ipRanges(r -> r.cidrIp("0.0.0.0/0")))).join();
        assertAwsError(() -> ec2().authorizeSecurityGroupIngress(b -> b.groupId(sg).ipPermissions(p -> p
                .ipProtocol("tcp").fromPort(22).toPort(22).ipRanges(r -> r.cidrIp("0.0.0.0/0")))).join(),
                "InvalidPermission.Duplicate");
        assertAwsError(() -> ec2().createSecurityGroup(b -> b.groupName("fedimg-test-sg").description("again")).join(),
                "InvalidGroup.Duplicate");
        String id = ec2().runInstances(run(ami, null).keyName("fedimg-test-1").securityGroupIds(sg).build()).join()
                .instances().get(0).instanceId();
        assertThat(aws.inspect().securityGroups(US_EAST_1)).anySatisfy(g -> assertThat(g.ingress())
                .containsExactly("tcp:22-22:0.0.0.0/0"));
        assertAwsError(() -> ec2().deleteSecurityGroup(b -> b.groupId(sg)).join(), "DependencyViolation");
        ec2().terminateInstances(b -> b.instanceIds(id)).join();
        ec2().deleteSecurityGroup(b -> b.groupId(sg)).join();
        ec2().deleteKeyPair(b -> b.keyName("fedimg-test-1")).join();
        ec2().deleteKeyPair(b -> b.keyName("fedimg-test-1")).join(); // deleting twice is fine, as on AWS
        assertThat(aws.inspect().keyPairs(US_EAST_1)).extracting(Views.KeyPair::name)
                .containsExactlyInAnyOrder("fedimg-test-ed", "imported");
    }

    @Test
    void instanceTypesAndArchitectures() {
        var arm = ec2().describeInstanceTypes(b -> b.filters(f -> f.name("processor-info.supported-architecture")
                .values("arm64"))).join().instanceTypes();
        assertThat(arm).isNotEmpty().allSatisfy(t -> assertThat(t.processorInfo().supportedArchitecturesAsStrings())
                .containsExactly("arm64"));
        var one = ec2().describeInstanceTypes(b -> b.instanceTypesWithStrings("m6i.large")).join().instanceTypes();
        assertThat(one).singleElement().satisfies(t -> {
            assertThat(t.memoryInfo().sizeInMiB()).isEqualTo(8192L);
            assertThat(t.supportedBootModesAsStrings()).contains("uefi");
        });
        assertThat(List.of(Map.of())).hasSize(1);
    }

    static String state(String id) {
        return ec2().describeInstances(b -> b.instanceIds(id)).join().reservations().get(0).instances().get(0)
                .state().nameAsString();
    }
}
