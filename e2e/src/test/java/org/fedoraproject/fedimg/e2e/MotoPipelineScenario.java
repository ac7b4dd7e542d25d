package org.fedoraproject.fedimg.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.fedoraproject.fedimg.aws.support.AwsCallMetrics;
import org.fedoraproject.fedimg.aws.support.AwsClients;
import org.fedoraproject.fedimg.aws.support.AwsConfig;
import org.fedoraproject.fedimg.cli.local.LocalCompose;
import org.fedoraproject.fedimg.cli.local.Pipeline;
import org.fedoraproject.fedimg.cli.local.PipelineWatcher;
import org.fedoraproject.fedimg.emulator.junit.MotoServer;
import org.fedoraproject.fedimg.events.AmiPublished;
import org.fedoraproject.fedimg.events.AmiTested;
import org.fedoraproject.fedimg.events.ImageKeys;
import org.fedoraproject.fedimg.events.ImageOutcome;
import org.fedoraproject.fedimg.events.ImagePublished;
import org.fedoraproject.fedimg.events.RegionOutcome;
import org.fedoraproject.fedimg.local.ServiceProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import software.amazon.awssdk.services.ec2.model.ImageAttributeName;
import software.amazon.awssdk.services.ec2.model.LaunchPermission;
import software.amazon.awssdk.services.ec2.model.SnapshotAttributeName;

/**
 * The whole pipeline against moto ({@code python3 -m moto.server} on loopback) instead of the emulator: one
 * compose from a fedora-messaging message on RabbitMQ, through the four services, to public AMIs in every
 * configured region and the successor message, so the SDK calls the services really make are shown to work
 * against an independent EC2 + EBS implementation. What moto lacks is switched off in config: the tester
 * boots the AMI without running a script ({@code transport=boot-only}; moto never executes user-data) and the
 * replicator neither asks for the image block-public-access state or the public AMI quota nor deprecates the
 * nightly's AMIs (moto has none of these). Writes
 * {@code 60-moto.md}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class MotoPipelineScenario {

    static final List<String> REGIONS = List.of("us-east-1", "eu-west-1", "ap-southeast-2");
    private static final Pattern CALL = Pattern.compile(
            "^fedimg_aws_calls_total\\{(?<labels>[^}]*)\\}\\s+(?<value>[0-9.eE+]+)$");

    private static final String TITLE = "The pipeline against moto";

    private final String environment = "moto" + UUID.randomUUID().toString().substring(0, 8);
    private MotoServer moto;
    private Pipeline pipeline;
    private LocalCompose compose;
    private RabbitBus bus;
    private PipelineWatcher watcher;
    private Set<String> imageKeys;
    private Duration took;
    private final Map<String, Map<String, Double>> calls = new TreeMap<>();

    @BeforeAll
    void runThePipelineAgainstMoto() throws Exception {
        String missing = MotoServer.unavailableReason();
        if (missing != null) {
            // the report says the section was not run, and why, instead of going without it
            ReportFragment.write("60-moto.md", "## " + TITLE + "\n\nNot run: " + missing + ".\n");
        }
        Assumptions.assumeTrue(missing == null, () -> "moto run skipped: " + missing);
        // services not built: fail before anything is started
        Pipeline.requireBuilt(E2eConfig.projectDir());
        moto = MotoServer.start();
        Path work = Files.createTempDirectory("fedimg-moto-");
        compose = LocalCompose.generate(work, "40", 4).serve();
        imageKeys = compose.images().stream().map(i -> ImageKeys.of(compose.composeId(), i.fileName()))
                .collect(Collectors.toSet());
        Map<String, String> common = Map.of(
                "fedimg.aws.endpoint-override", moto.endpoint().toString(),
                "fedimg.aws.static-credentials.access-key-id", "moto",
                "fedimg.aws.static-credentials.secret-access-key", "moto");
        Map<String, Map<String, String>> perService = new LinkedHashMap<>(
                E2eConfig.perService(environment, "fedimg-" + environment, work));
        perService.put("tester-service", Map.of(
                "fedimg.tester.script-path", work.resolve("test-ami.sh").toString(),
                // moto keeps user-data but never runs it: booting is the verdict (a test mode, see tester README)
                "fedimg.tester.transport", "boot-only"));
        perService.put("replicator-service", Map.of(
                "fedimg.replicator.regions.allow", String.join(",", REGIONS),
                // moto has no GetImageBlockPublicAccessState
                "fedimg.replicator.block-public-access.check", "false",
                // nor EnableImageDeprecation (it answers 500): the nightly compose's AMIs are not deprecated here
                "fedimg.replicator.deprecation.nightly", "PT0S",
                // nor the public AMI quota in Service Quotas (NoSuchResourceException): AWS's default, as configured
                "fedimg.replicator.public-ami-quota.value", "5"));
        Files.writeString(work.resolve("test-ami.sh"), "#!/bin/bash\n# never run: the moto run boots only\nexit 0\n");
        pipeline = new Pipeline(new Pipeline.Settings(E2eConfig.projectDir(), null, List.of(), common, perService));
        Instant start = Instant.now();
        pipeline.startInfrastructure();
        bus = new RabbitBus(E2eConfig.amqpUrl(), List.of("org.fedoraproject." + environment + ".fedimg.#",
                "org.fedoraproject." + environment + ".fedora_image_uploader.#"));
        pipeline.startServices();
        watcher = new PipelineWatcher(pipeline.broker().bootstrapServers(), e -> {
        });
        bus.publish("org.fedoraproject." + environment + ".pungi.compose.status.change", compose.finishedMessageBody());
        org.awaitility.Awaitility.await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofSeconds(1))
                .until(() -> watcher.seen(ImagePublished.class).stream().map(ImagePublished::imageKey)
                        .collect(Collectors.toSet()).containsAll(imageKeys));
        bus.awaitUntil(Duration.ofMinutes(1), got -> got.stream()
                .filter(m -> m.routingKey().contains(".fedora_image_uploader.published.")).count() >= imageKeys.size());
        took = Duration.between(start, Instant.now());
        collectCalls();
    }

    /** Every SDK call the services made, by operation and outcome, from their own metrics. */
    private void collectCalls() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        for (ServiceProcess s : pipeline.services()) {
            String metrics = http.send(HttpRequest.newBuilder(s.baseUri().resolve("/q/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            for (String line : metrics.split("\n")) {
                Matcher m = CALL.matcher(line.trim());
                if (m.matches()) {
                    String operation = label(m.group("labels"), "operation");
                    String code = label(m.group("labels"), "error_code");
                    String outcome = label(m.group("labels"), "outcome") + ("none".equals(code) ? "" : " " + code);
                    calls.computeIfAbsent(operation, k -> new TreeMap<>())
                            .merge(outcome, Double.parseDouble(m.group("value")), Double::sum);
                }
            }
        }
    }

    private static String label(String labels, String name) {
        Matcher m = Pattern.compile(name + "=\"([^\"]*)\"").matcher(labels);
        return m.find() ? m.group(1) : "?";
    }

    @AfterAll
    void stop() throws Exception {
        if (took != null) {
            report();
        }
        if (watcher != null) {
            watcher.close();
        }
        if (bus != null) {
            bus.close();
        }
        if (pipeline != null) {
            pipeline.close();
        }
        if (compose != null) {
            compose.close();
        }
        if (moto != null) {
            moto.close();
        }
    }

    @Test
    void everyImageIsPublishedInEveryConfiguredRegion() {
        List<ImagePublished> aggregates = watcher.seen(ImagePublished.class);
        assertThat(aggregates).allSatisfy(a -> assertThat(a.outcome()).as(a.reason()).isEqualTo(ImageOutcome.COMPLETE));
        for (String key : imageKeys) {
            Set<String> regions = watcher.seen(AmiPublished.class).stream()
                    .filter(p -> p.imageKey().equals(key) && p.outcome() == RegionOutcome.PUBLISHED)
                    .map(AmiPublished::region).collect(Collectors.toSet());
            assertThat(regions).as(key).containsExactlyInAnyOrderElementsOf(REGIONS);
        }
        assertThat(watcher.seen(AmiTested.class)).isNotEmpty()
                .allSatisfy(t -> assertThat(t.reason()).contains("boot-only"));
    }

    @Test
    void motoSaysEveryAmiIsPublic() {
        List<AmiPublished> published = watcher.seen(AmiPublished.class).stream()
                .filter(p -> p.outcome() == RegionOutcome.PUBLISHED).toList();
        assertThat(published).hasSize(imageKeys.size() * 2 * REGIONS.size());
        try (AwsClients aws = motoClients()) {
            for (AmiPublished p : published) {
                List<LaunchPermission> perms = aws.ec2(p.region()).describeImageAttribute(b -> b.imageId(p.amiId())
                        .attribute(ImageAttributeName.LAUNCH_PERMISSION)).join().launchPermissions();
                assertThat(perms).as("%s in %s", p.amiId(), p.region()).extracting(LaunchPermission::groupAsString)
                        .contains("all");
            }
        }
    }

    private long publicAmisOnMoto() {
        try (AwsClients aws = motoClients()) {
            return watcher.seen(AmiPublished.class).stream().filter(p -> p.outcome() == RegionOutcome.PUBLISHED)
                    .filter(p -> aws.ec2(p.region()).describeImageAttribute(b -> b.imageId(p.amiId())
                            .attribute(ImageAttributeName.LAUNCH_PERMISSION)).join().launchPermissions().stream()
                            .anyMatch(l -> "all".equals(l.groupAsString())))
                    .count();
        }
    }

    /**
     * moto ignores ModifySnapshotAttribute's {@code CreateVolumePermission.Add} form, the one the SDK sends
     * (aws-emulator README, "Known differences from moto"): snapshot publicity is counted for the report only.
     */
    private long publicSnapshotsOnMoto() {
        try (AwsClients aws = motoClients()) {
            return watcher.seen(AmiPublished.class).stream().filter(p -> p.outcome() == RegionOutcome.PUBLISHED)
                    .filter(p -> aws.ec2(p.region()).describeSnapshotAttribute(b -> b.snapshotId(p.snapshotId())
                            .attribute(SnapshotAttributeName.CREATE_VOLUME_PERMISSION)).join().createVolumePermissions()
                            .stream().anyMatch(v -> "all".equals(v.groupAsString())))
                    .count();
        }
    }

    private AwsClients motoClients() {
        return new AwsClients(AwsConfig.of(REGIONS.get(0), moto.endpoint()), new AwsCallMetrics(new SimpleMeterRegistry()));
    }

    @Test
    void theSuccessorMessageNamesEveryRegion() {
        List<RabbitBus.Received> successor = bus.received().stream()
                .filter(m -> m.routingKey().contains(".fedora_image_uploader.published.v1.aws.")).toList();
        assertThat(successor).hasSize(imageKeys.size());
        for (RabbitBus.Received m : successor) {
            Set<String> regions = new java.util.TreeSet<>();
            m.body().get("regions").fieldNames().forEachRemaining(regions::add);
            assertThat(regions).containsExactlyInAnyOrderElementsOf(REGIONS);
        }
    }

    @Test
    void everySdkCallSucceededOnMoto() {
        assertThat(calls).containsKeys("StartSnapshot", "PutSnapshotBlock", "CompleteSnapshot", "RegisterImage",
                "RunInstances", "TerminateInstances", "CopyImage", "ModifyImageAttribute", "ModifySnapshotAttribute");
        calls.forEach((operation, outcomes) -> assertThat(outcomes.keySet()).as(operation).containsOnly("ok"));
    }

    private void report() {
        StringBuilder md = new StringBuilder("## " + TITLE + "\n\n");
        md.append("One compose (").append(imageKeys.size()).append(" images, 2 AMI variants each) from a fedora-messaging ")
                .append("message on AMQP through the four services, against moto ").append(motoVersion())
                .append(" (`python3 -m moto.server` on loopback) instead of the emulator, to ").append(REGIONS.size())
                .append(" regions. Switched off because moto lacks them: the test script (tester `transport=boot-only`: ")
                .append("moto never runs user-data, so booting is the verdict) and the image block-public-access check ")
                .append("(replicator `block-public-access.check=false`) and the deprecation of the nightly's AMIs ")
                .append("(`deprecation.nightly=PT0S`; moto answers EnableImageDeprecation with 500), and the public AMI ")
                .append("quota is configured (`public-ami-quota.value=5`: moto's Service Quotas does not know L-0E3CBAB9). moto also drops everything of RegisterImage but the ")
                .append("name and description, and has no pending states.\n\n");
        long published = watcher.seen(AmiPublished.class).stream().filter(p -> p.outcome() == RegionOutcome.PUBLISHED).count();
        md.append("| figure | value |\n| --- | --- |\n");
        md.append("| images COMPLETE | ").append(watcher.seen(ImagePublished.class).stream()
                .filter(a -> a.outcome() == ImageOutcome.COMPLETE).count()).append(" / ").append(imageKeys.size()).append(" |\n");
        md.append("| AMIs published (image × variant × region) / public as moto says | ").append(published).append(" / ")
                .append(publicAmisOnMoto()).append(" |\n");
        md.append("| their snapshots public, as moto says | ").append(publicSnapshotsOnMoto())
                .append(" (moto ignores the `CreateVolumePermission.Add` form of ModifySnapshotAttribute) |\n");
        md.append("| successor messages | ").append(bus.received().stream()
                .filter(m -> m.routingKey().contains(".fedora_image_uploader.published.")).count()).append(" |\n");
        md.append("| time, start of the services to the last successor message | ").append(took.toSeconds()).append(" s |\n\n");
        md.append("SDK calls the services made against moto (their `fedimg_aws_calls_total`):\n\n");
        md.append("| operation | outcomes |\n| --- | --- |\n");
        calls.forEach((op, outcomes) -> md.append("| ").append(op).append(" | ").append(outcomes.entrySet().stream()
                .map(e -> e.getKey() + " " + Math.round(e.getValue())).collect(Collectors.joining(", "))).append(" |\n"));
        md.append("\nCommand: `./mvnw -B -ntp -Preliability -pl e2e -am verify` (the full suite), or this run alone: "
                + "`./mvnw -B -ntp -pl e2e verify -Dit.test=MotoPipelineSuiteIT -Dfedimg.reliability.full=true`.\n");
        ReportFragment.write("60-moto.md", md.toString());
    }

    private static String motoVersion() {
        try {
            Process p = new ProcessBuilder("python3", "-c", "import moto; print(moto.__version__)").redirectErrorStream(true).start();
            String v = new String(p.getInputStream().readAllBytes()).trim();
            p.waitFor();
            return v;
        } catch (Exception e) {
            return "(version unknown)";
        }
    }
}
