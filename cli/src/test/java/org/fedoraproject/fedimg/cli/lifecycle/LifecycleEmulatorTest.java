package org.fedoraproject.fedimg.cli.lifecycle;

import org.fedoraproject.fedimg.lifecycle.job.Lifecycle;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import org.fedoraproject.fedimg.aws.support.AwsClients;
import org.fedoraproject.fedimg.aws.support.AwsConfig;
import org.fedoraproject.fedimg.cli.CommandRun;
import org.fedoraproject.fedimg.cli.lifecycle.PublishedAmis.Published;
import org.fedoraproject.fedimg.emulator.AwsEmulator;
import org.fedoraproject.fedimg.emulator.Views;
import org.fedoraproject.fedimg.emulator.junit.AwsEmulatorExtension;
import org.fedoraproject.fedimg.events.Stage;
import org.fedoraproject.fedimg.events.StageStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;

/**
 * {@code fedimg lifecycle} against the emulator with the replicator's default streams and AWS's default public
 * AMI quota (5 public AMIs here): dry run, apply, kills in the middle, the bound per region, and the guards.
 */
@ExtendWith(AwsEmulatorExtension.class)
class LifecycleEmulatorTest {

    static final String REGION = "eu-west-1";

    AwsEmulator emulator;
    AwsClients aws;
    Instant now;
    Published n0;
    Published n1Launched;
    Published n2;
    Published release;
    Published kept;
    Published private45;

    @BeforeEach
    void amis(AwsEmulator emulator) {
        this.emulator = emulator;
        aws = new AwsClients(AwsConfig.of("us-east-1", emulator.endpoint()), new ExecutionInterceptor() { });
        now = Instant.now();
        PublishedAmis p = new PublishedAmis(aws);
        n0 = p.publish(REGION, "Fedora-41-20260101.n.0", "nightly", "hvm-gp3", ago(71), true);
        n1Launched = p.publish(REGION, "Fedora-41-20260210.n.0", "nightly", "hvm-gp3", ago(31), true);
        n2 = p.publish(REGION, "Fedora-41-20260312.n.0", "nightly", "hvm-gp3", ago(1), true);
        release = p.publish(REGION, "Fedora-41-20251001.0", "production", "hvm-gp3", ago(100), true);
        kept = p.publish(REGION, "Fedora-41-20251002.n.0", "nightly", "hvm-standard", ago(100), true);
        private45 = p.publish(REGION, "Fedora-41-20260125.n.0", "nightly", "hvm-io2", ago(45), false);
        aws.ec2(REGION).createTags(b -> b.resources(kept.amiId()).tags(t -> t.key("fedimg:keep").value("yes"))).join();
        // launched a moment ago: within the nightly stream's 14 days, so it stays as it is
        aws.ec2(REGION).runInstances(b -> b.imageId(n1Launched.amiId()).instanceType("t3.micro").minCount(1).maxCount(1)).join();
    }

    @AfterEach
    void close() {
        aws.close();
    }

    Instant ago(int days) {
        return now.minus(Duration.ofDays(days));
    }

    Lifecycle.Options options(boolean apply, int max) {
        return new Lifecycle.Options(List.of(REGION), apply, max, 2, now, Duration.ofMinutes(1));
    }

    Lifecycle lifecycle(Consumer<StageStatus> announce) {
        return new Lifecycle(aws, StreamsFile.parse(defaults()), announce);
    }

    static java.util.Properties defaults() {
        try (var in = LifecycleEmulatorTest.class.getResourceAsStream("/lifecycle-defaults.properties")) {
            var p = new java.util.Properties();
            p.load(in);
            return p;
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    Optional<Views.Image> image(Published p) {
        return emulator.inspect().image(REGION, p.amiId());
    }

    void assertUntouched() {
        for (Published p : List.of(n1Launched, n2, release, kept)) {
            assertThat(image(p)).get().satisfies(i -> {
                assertThat(i.isPublic()).as(i.name()).isTrue();
                assertThat(i.state()).isEqualTo("available");
            });
        }
    }

    @Test
    void aDryRunPrintsThePlanAndChangesNothing() {
        CommandRun run = CommandRun.of(new LifecycleCommand(), "--endpoint", emulator.endpoint().toString(),
                "--region", REGION, "--now", now.toString());
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out()).contains(n0.amiId() + " ", "make-private", "disable", "deregister", private45.amiId(),
                "4 steps planned (dry run");
        assertThat(run.out()).doesNotContain(n2.amiId(), release.amiId(), kept.amiId(), n1Launched.amiId());
        assertThat(image(n0)).get().satisfies(i -> assertThat(i.isPublic()).isTrue());
        assertThat(image(private45)).get().satisfies(i -> assertThat(i.state()).isEqualTo("available"));
        assertUntouched();
    }

    @Test
    void applyIsRefusedWithoutABusUnlessSaidSo() {
        CommandRun run = CommandRun.of(new LifecycleCommand(), "--endpoint", emulator.endpoint().toString(),
                "--region", REGION, "--apply");
        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).contains("--bootstrap-servers");
        assertThat(image(n0)).get().satisfies(i -> assertThat(i.isPublic()).isTrue());
    }

    @Test
    void killedMidRunTheNextRunsFinishAnnouncingEveryStepOnceByIdAndThenHaveNothingToDo() {
        List<StageStatus> announced = new ArrayList<>();
        AtomicInteger calls = new AtomicInteger();
        // the "kill": the second announcement is written, then the process dies before the step is made
        var first = lifecycle(s -> {
            announced.add(s);
            if (calls.incrementAndGet() == 2) {
                throw new IllegalStateException("killed");
            }
        }).run(options(true, 100));
        // oldest AMI first: n0 made private, its disabling killed, its deregistration skipped; then private45
        assertThat(first.get(0).outcomes()).extracting(Lifecycle.Outcome::result)
                .containsExactly("made-private", "failed", "skipped", "disabled");
        assertThat(image(n0)).get().satisfies(i -> assertThat(i.isPublic()).isFalse());
        assertThat(emulator.inspect().snapshot(REGION, n0.snapshotId()).orElseThrow().createVolumePermissionGroups())
                .as("no snapshot left public behind a private AMI").doesNotContain("all");

        var second = lifecycle(announced::add).run(options(true, 100));
        assertThat(second.get(0).outcomes()).extracting(Lifecycle.Outcome::result)
                .containsExactly("disabled", "deregistered");
        assertThat(image(n0)).isEmpty();
        assertThat(emulator.inspect().snapshot(REGION, n0.snapshotId())).as("deleted with its AMI").isEmpty();
        assertThat(image(private45)).get().satisfies(i -> assertThat(i.state()).isEqualTo("disabled"));
        assertUntouched();

        // Every step announced; the one announced before the kill was announced again with the same id.
        assertThat(announced).allSatisfy(s -> assertThat(s.stage()).isEqualTo(Stage.LIFECYCLE));
        assertThat(announced.stream().map(StageStatus::eventId).distinct()).hasSize(4);
        assertThat(announced.stream().map(s -> s.amiId() + " " + s.reason().substring(0, s.reason().indexOf(':'))).distinct())
                .containsExactlyInAnyOrder(n0.amiId() + " made-private", n0.amiId() + " disabled",
                        n0.amiId() + " deregistered", private45.amiId() + " disabled");

        int before = announced.size();
        assertThat(lifecycle(announced::add).run(options(true, 100)).get(0).outcomes()).as("idempotent").isEmpty();
        assertThat(announced).hasSize(before);
    }

    @Test
    void stepsPerRegionAreBoundedAndTheRestWaitForTheNextRun() {
        List<StageStatus> announced = new ArrayList<>();
        var run = lifecycle(announced::add).run(options(true, 1));
        assertThat(run.get(0).outcomes()).extracting(Lifecycle.Outcome::result)
                .containsExactly("made-private", "deferred", "deferred", "deferred");
        assertThat(announced).hasSize(1);
        assertThat(lifecycle(announced::add).run(options(true, 1)).get(0).outcomes())
                .extracting(Lifecycle.Outcome::result).containsExactly("disabled", "deferred", "deferred");
    }
}
