package org.fedoraproject.fedimg.bench;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.fedoraproject.fedimg.emulator.AwsEmulator;
import org.fedoraproject.fedimg.emulator.Views;
import org.fedoraproject.fedimg.emulator.vm.InstanceBackend;
import org.fedoraproject.fedimg.emulator.vm.TestImages;
import org.junit.jupiter.api.Test;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2AsyncClient;
import software.amazon.awssdk.services.ec2.model.BlockDeviceMapping;
import software.amazon.awssdk.services.ec2.model.EbsBlockDevice;

/**
 * Issue 18's boot benchmark (docs/benchmarks.md, "Real boot"): on the emulator's qemu backend, one VM at a time,
 * the time from RunInstances to QEMU running, to the firmware's first console output, to the kernel's banner
 * (status checks ok) and to the user-data's result on the console (what the tester's user-data transport waits
 * for), per test image and boot mode, {@code bench.boot.rounds} times (3). Skipped with the reason without QEMU.
 * Run alone: {@code ./mvnw -B -ntp -Pbench -pl bench verify -Dit.test=BootBenchmark}.
 */
class BootBenchmark {

    private static final String REGION = "us-east-1";
    private static final Duration BOUND = Duration.ofMinutes(3);
    private static final String MARKER = "fedimg-bench user-data done";

    private record Case(String image, String arch, String bootMode, String type) {
    }

    private static final List<Case> CASES = List.of(new Case("x86_64-hybrid", "x86_64", "uefi-preferred", "t3.small"),
            new Case("x86_64-hybrid", "x86_64", "legacy-bios", "t3.small"),
            new Case("aarch64-uefi", "arm64", "uefi", "t4g.small"));

    private final int rounds = Integer.getInteger("bench.boot.rounds", 3);
    private final Path project = Path.of(System.getProperty("fedimg.project.dir", "..")).toAbsolutePath().normalize();
    private final Markdown md = new Markdown();

    @Test
    void boot() throws Exception {
        for (Case c : CASES) {
            Optional<String> skip = TestImages.skipReason(c.image());
            assumeTrue(skip.isEmpty(), () -> "skipped: " + skip.orElse(""));
        }
        md.line("Run %s on %d CPUs, Java %s, %d rounds. Load average at start: %s", Instant.now(),
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"), rounds,
                Markdown.loadAverage());
        try (AwsEmulator aws = AwsEmulator.builder().regions(List.of(REGION)).instanceBackend(InstanceBackend.QEMU)
                .maxVms(1).vmSshPort(2222).build().start();
                Ec2AsyncClient ec2 = Ec2AsyncClient.builder().region(Region.of(REGION)).endpointOverride(aws.endpoint())
                        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("b", "b")))
                        .build()) {
            md.table("image, boot mode", "QEMU started", "firmware's first output", "kernel banner (status ok)",
                    "user-data result", "load average after");
            for (Case c : CASES) {
                String snap = aws.importSnapshot(REGION, TestImages.disk(c.image()), Map.of());
                String ami = ec2.registerImage(b -> b.name("bench-" + c.image() + "-" + c.bootMode())
                        .architecture(c.arch()).virtualizationType("hvm").rootDeviceName("/dev/xvda").enaSupport(true)
                        .bootMode(c.bootMode()).imdsSupport("v2.0").blockDeviceMappings(BlockDeviceMapping.builder()
                                .deviceName("/dev/xvda").ebs(EbsBlockDevice.builder().snapshotId(snap)
                                        .deleteOnTermination(true).build()).build())).join().imageId();
                List<long[]> times = new ArrayList<>();
                for (int round = 0; round < rounds; round++) {
                    times.add(bootOnce(aws, ec2, ami, c.type()));
                }
                md.row(c.image() + ", " + c.bootMode(), median(times, 0), median(times, 1), median(times, 2),
                        median(times, 3), Markdown.loadAverage());
            }
        }
        md.line("Seconds after RunInstances returned, median (range) of %d boots, one VM at a time, TCG unless the log "
                + "says KVM.", rounds);
        md.write(project.resolve("bench/target/bench/boot-results.md"));
    }

    /** Running, first console output, kernel banner, user-data result: ms after RunInstances returned. */
    private long[] bootOnce(AwsEmulator aws, Ec2AsyncClient ec2, String ami, String type) throws InterruptedException {
        String userData = "#!/bin/bash\necho \"" + MARKER + " on $(uname -m)\"\n";
        long start = System.nanoTime();
        String id = ec2.runInstances(b -> b.imageId(ami).instanceType(type).minCount(1).maxCount(1)
                .userData(Base64.getEncoder().encodeToString(userData.getBytes(StandardCharsets.UTF_8)))).join()
                .instances().get(0).instanceId();
        long[] t = {-1, -1, -1, -1};
        long deadline = start + BOUND.toNanos();
        while (System.nanoTime() < deadline && t[3] < 0) {
            Views.Instance i = aws.inspect().instance(REGION, id).orElseThrow();
            long now = (System.nanoTime() - start) / 1_000_000;
            String console = i.consoleOutput();
            if (t[0] < 0 && i.state().equals("running")) {
                t[0] = now;
            }
            if (t[1] < 0 && !console.isEmpty()) {
                t[1] = now;
            }
            if (t[2] < 0 && "ok".equals(i.statusCheck())) {
                t[2] = now;
            }
            if (console.contains(MARKER + " on")) {
                t[3] = now;
            }
            Thread.sleep(50);
        }
        ec2.terminateInstances(b -> b.instanceIds(id)).join();
        if (t[3] < 0) {
            throw new AssertionError(id + " showed no user-data result within " + BOUND);
        }
        return t;
    }

    private static String median(List<long[]> times, int column) {
        List<Long> values = times.stream().map(t -> t[column]).sorted().toList();
        return String.format("%.1f (%.1f–%.1f)", values.get(values.size() / 2) / 1000.0, values.get(0) / 1000.0,
                values.get(values.size() - 1) / 1000.0);
    }
}
