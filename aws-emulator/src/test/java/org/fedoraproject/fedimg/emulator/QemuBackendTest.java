package org.fedoraproject.fedimg.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.fedoraproject.fedimg.emulator.ebs.BlockStore;
import org.fedoraproject.fedimg.emulator.vm.TestImages;
import org.fedoraproject.fedimg.emulator.vm.InstanceBackend;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import software.amazon.awssdk.services.ec2.model.BlockDeviceMapping;
import software.amazon.awssdk.services.ec2.model.EbsBlockDevice;
import software.amazon.awssdk.services.ec2.model.InstanceStatus;

/**
 * The qemu backend against real QEMU (skipped, with the reason, where QEMU or the test images are missing):
 * the project's test image, uploaded through EBS direct and registered as an AMI, boots in a VM, fetches its
 * user-data from the instance's metadata service and runs it, with the kernel's lines on the console; the
 * same image with one block corrupted, registered with the wrong boot mode or the wrong architecture is
 * impaired; a guest that powers off stops its instance; termination kills QEMU and removes the overlay, and the
 * snapshot is never written.
 */
class QemuBackendTest {

    private static final String REGION = "us-east-1";
    private static AwsEmulator aws;
    private static Sdk sdk;

    @BeforeAll
    static void start() {
        Optional<String> skip = TestImages.skipReason("x86_64-uefi");
        assumeTrue(skip.isEmpty(), () -> "skipped: " + skip.orElse(""));
        aws = AwsEmulator.builder().regions(List.of(REGION)).instanceBackend(InstanceBackend.QEMU).maxVms(4)
                .vmSshPort(2222).vmKernelBound(Duration.ofSeconds(40)).build().start();
        sdk = new Sdk(aws.endpoint());
    }

    @AfterAll
    static void stop() {
        if (sdk != null) {
            sdk.close();
        }
        if (aws != null) {
            aws.close();
        }
    }

    @Test
    void goodImageBootsAndBrokenOnesAreImpaired() throws Exception {
        String good = register("good", upload("x86_64-uefi"), "x86_64", "uefi");
        String corruptSnap = upload("x86_64-uefi");
        List<Integer> blocks = aws.inspect().snapshotBlocks(REGION, corruptSnap);
        // a block in the middle of the ESP's data (the kernel takes most of it)
        aws.inspect().corruptSnapshotBlock(REGION, corruptSnap, blocks.get(blocks.size() / 2), false);
        String corrupt = register("corrupt", corruptSnap, "x86_64", "uefi");
        String wrongMode = register("legacy", upload("x86_64-uefi"), "x86_64", "legacy-bios");
        String wrongArch = register("arm", upload("x86_64-uefi"), "arm64", "uefi");
        String goodSnapSha = aws.inspect().snapshotSha256(REGION, aws.inspect().image(REGION, good).orElseThrow()
                .blockDeviceMappings().get(0).snapshotId());

        String script = "#!/bin/bash\necho \"hello from $(uname -m) on $(cat /proc/cmdline | wc -c)-byte cmdline\"\n"
                + "echo fedimg-qemu-test done\n";
        String goodId = run(good, "t3.small", script);
        String corruptId = run(corrupt, "t3.small", script);
        String modeId = run(wrongMode, "t3.small", script);
        String archId = run(wrongArch, "t4g.small", script);

        assertEquals("ok", awaitStatus(goodId, Duration.ofMinutes(3)));
        String console = awaitConsole(goodId, "fedimg-qemu-test done", Duration.ofMinutes(2));
        assertTrue(console.contains("Linux version"), console);
        assertTrue(console.contains("hello from x86_64"), console);
        assertTrue(console.contains("(IMDSv2)"), "the guest used a token: " + console);

        assertEquals("impaired", awaitStatus(corruptId, Duration.ofMinutes(3)));
        assertEquals("impaired", awaitStatus(modeId, Duration.ofMinutes(3)));
        assertEquals("impaired", awaitStatus(archId, Duration.ofMinutes(3)));
        // each ran in QEMU and its firmware said so: what failed is the boot, not the emulator
        assertTrue(console(corruptId).contains("BdsDxe"), console(corruptId));
        assertTrue(console(modeId).contains("SeaBIOS"), console(modeId));
        assertFalse(console(modeId).contains("Linux version"), console(modeId));
        assertTrue(console(archId).contains("BdsDxe"), console(archId));

        Path dir = aws.workDir().resolve("instances").resolve(goodId);
        assertTrue(Files.exists(dir.resolve("root.qcow2")));
        List<ProcessHandle> qemus = ProcessHandle.current().descendants()
                .filter(p -> p.info().commandLine().orElse("").contains(dir.toString())).toList();
        assertFalse(qemus.isEmpty(), "QEMU runs for " + goodId);
        for (String id : List.of(goodId, corruptId, modeId, archId)) {
            sdk.ec2().terminateInstances(b -> b.instanceIds(id)).join();
        }
        for (ProcessHandle q : qemus) {
            assertFalse(q.isAlive(), "QEMU " + q.pid() + " was killed at termination");
        }
        assertFalse(Files.exists(dir.resolve("root.qcow2")), "the overlay goes with the instance");
        assertEquals(goodSnapSha, aws.inspect().snapshotSha256(REGION, aws.inspect().image(REGION, good)
                .orElseThrow().blockDeviceMappings().get(0).snapshotId()), "the snapshot is never written");

        // a guest that powers off: QEMU ends (-no-reboot) and the instance stops, as with EC2's default behaviour
        String offId = run(good, "t3.small", "#!/bin/bash\necho powering off\npoweroff\n");
        long end = System.nanoTime() + Duration.ofMinutes(3).toNanos();
        String offState = "";
        while (System.nanoTime() < end && !(offState = sdk.ec2().describeInstances(b -> b.instanceIds(offId)).join()
                .reservations().get(0).instances().get(0).state().nameAsString()).equals("stopped")) {
            sleep(500);
        }
        assertEquals("stopped", offState, console(offId));
        assertTrue(console(offId).contains("powering off"), console(offId));
        sdk.ec2().terminateInstances(b -> b.instanceIds(offId)).join();

        assertEquals(0, ProcessHandle.current().descendants()
                .filter(p -> p.info().command().orElse("").contains("qemu-system")).count());
    }

    @Test
    void killingTheEmulatorLeavesNoQemuBehind() throws Exception {
        List<ProcessHandle> qemus;
        try (EmulatorProcess emulator = EmulatorProcess.start("-Xmx256m", "--regions", REGION,
                "--instance-backend", "qemu", "--vm-ssh-port", "2222");
                Sdk other = new Sdk(emulator.endpoint())) {
            Sdk mine = sdk;
            sdk = other;
            try {
                String ami = register("kill", upload("x86_64-uefi"), "x86_64", "uefi");
                String id = run(ami, "t3.small", "#!/bin/bash\necho hi\n");
                long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (!"running".equals(sdk.ec2().describeInstances(b -> b.instanceIds(id)).join().reservations()
                        .get(0).instances().get(0).state().nameAsString()) && System.nanoTime() < end) {
                    sleep(200);
                }
            } finally {
                sdk = mine;
            }
            qemus = emulator.handle().descendants()
                    .filter(p -> p.info().command().orElse("").contains("qemu-system")).toList();
            assertEquals(1, qemus.size(), "one QEMU under the emulator");
            emulator.kill();
        }
        long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (qemus.get(0).isAlive() && System.nanoTime() < end) {
            sleep(100);
        }
        assertFalse(qemus.get(0).isAlive(), "QEMU " + qemus.get(0).pid() + " died with its emulator");
    }

    private String upload(String image) throws IOException {
        Map<Integer, byte[]> blocks = new LinkedHashMap<>();
        try (InputStream in = Files.newInputStream(TestImages.disk(image))) {
            for (int index = 0;; index++) {
                byte[] buf = in.readNBytes(BlockStore.BLOCK_SIZE);
                if (buf.length == 0) {
                    break;
                }
                byte[] block = buf.length == BlockStore.BLOCK_SIZE ? buf : java.util.Arrays.copyOf(buf, BlockStore.BLOCK_SIZE);
                if (!java.util.Arrays.equals(block, new byte[BlockStore.BLOCK_SIZE])) {
                    blocks.put(index, block);
                }
            }
        }
        return sdk.uploadSnapshot(REGION, 1, blocks, Map.of());
    }

    private String register(String name, String snapshotId, String arch, String bootMode) {
        awaitSnapshot(snapshotId);
        return sdk.ec2().registerImage(b -> b.name("qemu-test-" + name).architecture(arch)
                .virtualizationType("hvm").rootDeviceName("/dev/xvda").enaSupport(true).bootMode(bootMode)
                .imdsSupport("v2.0").blockDeviceMappings(BlockDeviceMapping.builder().deviceName("/dev/xvda")
                        .ebs(EbsBlockDevice.builder().snapshotId(snapshotId).volumeSize(1).volumeType("gp3")
                                .deleteOnTermination(true).build()).build())).join().imageId();
    }

    private String run(String ami, String type, String script) {
        return sdk.ec2().runInstances(b -> b.imageId(ami).instanceType(type).minCount(1).maxCount(1)
                .userData(Base64.getEncoder().encodeToString(script.getBytes(StandardCharsets.UTF_8))))
                .join().instances().get(0).instanceId();
    }

    private void awaitSnapshot(String snapshotId) {
        long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < end) {
            String state = sdk.ec2().describeSnapshots(b -> b.snapshotIds(snapshotId)).join().snapshots().get(0)
                    .stateAsString();
            if (state.equals("completed")) {
                return;
            }
            sleep(100);
        }
        throw new AssertionError("snapshot " + snapshotId + " never completed");
    }

    /** The status checks once they are decided (ok or impaired). */
    private String awaitStatus(String instanceId, Duration max) {
        long end = System.nanoTime() + max.toNanos();
        String last = "none";
        while (System.nanoTime() < end) {
            List<InstanceStatus> s = sdk.ec2().describeInstanceStatus(b -> b.instanceIds(instanceId)
                    .includeAllInstances(true)).join().instanceStatuses();
            if (!s.isEmpty()) {
                last = s.get(0).instanceStatus().statusAsString();
                if (last.equals("ok") || last.equals("impaired")) {
                    return last;
                }
            }
            sleep(500);
        }
        throw new AssertionError(instanceId + " status still " + last + " after " + max + "; console:\n"
                + console(instanceId));
    }

    private String awaitConsole(String instanceId, String text, Duration max) {
        long end = System.nanoTime() + max.toNanos();
        while (System.nanoTime() < end) {
            String c = console(instanceId);
            if (c.contains(text)) {
                return c;
            }
            sleep(500);
        }
        throw new AssertionError(instanceId + " never printed " + text + "; console:\n" + console(instanceId));
    }

    private String console(String instanceId) {
        String out = sdk.ec2().getConsoleOutput(b -> b.instanceId(instanceId).latest(true)).join().output();
        return out == null ? "" : new String(Base64.getDecoder().decode(out), StandardCharsets.UTF_8);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
