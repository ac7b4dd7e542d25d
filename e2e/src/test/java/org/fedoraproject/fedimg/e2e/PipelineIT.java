package org.fedoraproject.fedimg.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Collectors;

import org.fedoraproject.fedimg.aws.support.AwsCallMetrics;
import org.fedoraproject.fedimg.aws.support.AwsClients;
import org.fedoraproject.fedimg.aws.support.AwsConfig;
import org.fedoraproject.fedimg.cli.local.LocalCompose;
import org.fedoraproject.fedimg.cli.local.Pipeline;
import org.fedoraproject.fedimg.cli.local.PipelineWatcher;
import org.fedoraproject.fedimg.cli.local.PublicityCheck;
import org.fedoraproject.fedimg.deploy.DashboardMetrics;
import org.fedoraproject.fedimg.emulator.Quota;
import org.fedoraproject.fedimg.emulator.Views;
import org.fedoraproject.fedimg.events.AmiPublished;
import org.fedoraproject.fedimg.events.AmiTested;
import org.fedoraproject.fedimg.events.ImageKeys;
import org.fedoraproject.fedimg.events.ImageOutcome;
import org.fedoraproject.fedimg.events.ImagePublished;
import org.fedoraproject.fedimg.events.RegionOutcome;
import org.fedoraproject.fedimg.events.TestVerdict;
import org.fedoraproject.fedimg.events.Topics;
import org.fedoraproject.fedimg.local.ServiceProcess;
import org.fedoraproject.fedimg.messaging.EventJson;
import org.fedoraproject.fedimg.messaging.TraceContext;
import org.fedoraproject.fedimg.testing.TopicProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import com.fasterxml.jackson.databind.JsonNode;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * The whole pipeline as separate processes: a fedora-messaging pungi FINISHED message on the real
 * RabbitMQ goes in; public AMIs in every emulated region and the fedimg bus messages come out. Where QEMU is
 * installed the emulator's qemu backend boots every test instance from its AMI's disk and the compose's images are
 * the project's bootable test images ({@link E2ePipeline}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PipelineIT {

    private E2ePipeline run;
    private String environment;
    private Pipeline pipeline;
    private LocalCompose compose;
    private RabbitBus bus;
    private PipelineWatcher watcher;
    private Set<String> imageKeys;
    private SigningKey signing;
    private OtlpCollector traces;

    @BeforeAll
    void runPipeline() throws Exception {
        // on the qemu backend where QEMU is installed: the compose's images are the bootable test images
        run = new E2ePipeline("e2e", 24);
        signing = SigningKey.generate(run.work);
        // tracing on, as an operator would switch it on, exporting to a stand-in collector
        traces = new OtlpCollector();
        Map<String, String> common = new TreeMap<>(E2eConfig.common());
        common.putAll(traces.serviceConfig());
        Map<String, Map<String, String>> perService = E2eConfig.perService(run.environment, "fedimg-" + run.environment,
                run.work, signing);
        run.run(E2eConfig.REGIONS, common, perService, p -> {
            // instance-store AMIs on (issue 22): the x86_64 image also gets an HVM bundle AMI, tested and published
            // in every region like the others (the account's certificate is registered with the emulator just started)
            E2eConfig.instanceStore(perService.get("uploader-service"), p.emulator(), run.work);
            // A quota increase, as a publisher asks AWS for: the compose makes 5 public AMIs per region (x86_64 and
            // aarch64, gp3 and standard, and x86_64's instance-store) and forcedReplayUploadsAgainUnderTheNextRespinName
            // publishes 5 more next to them, 10 against AWS's default of 5. Demotion to make room is
            // SimulatedYearTest's and PublicAmiQuotaTest's subject; here the respin must sit beside the first run's AMIs.
            p.emulator().quotas().set(Quota.PUBLIC_AMIS, 10);
        });
        environment = run.environment;
        pipeline = run.pipeline;
        compose = run.compose;
        bus = run.bus;
        watcher = run.watcher;
        imageKeys = run.imageKeys;
    }

    @AfterAll
    void stop() throws Exception {
        if (run != null) {
            run.close();
        }
        if (traces != null) {
            traces.close();
        }
    }

    @Test
    void everyImageIsCompleteInEveryRegion() {
        List<ImagePublished> aggregates = watcher.seen(ImagePublished.class);
        assertThat(aggregates).extracting(ImagePublished::imageKey).containsAll(imageKeys);
        assertThat(aggregates).allSatisfy(a -> assertThat(a.outcome()).as(a.reason()).isEqualTo(ImageOutcome.COMPLETE));
        for (String key : imageKeys) {
            Set<String> regions = watcher.seen(AmiPublished.class).stream()
                    .filter(p -> p.imageKey().equals(key) && p.outcome() == RegionOutcome.PUBLISHED)
                    .map(AmiPublished::region).collect(Collectors.toSet());
            assertThat(regions).as("published regions of %s", key).containsExactlyInAnyOrderElementsOf(E2eConfig.REGIONS);
        }
    }

    /**
     * On the qemu backend, every AMI was public only after its test instance booted the bytes the uploader wrote:
     * both architectures' guests booted their own kernel and ran the test from the metadata service's user-data.
     */
    @Test
    void everyTestInstanceBootedItsAmisOwnDisk() {
        assumeTrue(run.boots(), "the emulator's instances ran their user-data on the host (the [e2e] line says why)");
        List<AmiTested> tested = watcher.seen(AmiTested.class);
        assertThat(tested).isNotEmpty().allSatisfy(t -> assertThat(t.verdict()).as(t.reason())
                .isEqualTo(TestVerdict.PASSED));
        List<Views.Instance> instances = pipeline.emulator().inspect().instances(E2eConfig.REGIONS.get(0)).stream()
                .filter(i -> "test-instance".equals(i.tags().get("fedimg:purpose"))).toList();
        assertThat(instances).hasSizeGreaterThanOrEqualTo(imageKeys.size());
        assertThat(instances).anySatisfy(i -> assertThat(i.consoleOutput())
                .contains("Linux version 6.1.0").contains("cloud-amd64").contains("fedimg local test: ok"));
        assertThat(instances).anySatisfy(i -> assertThat(i.consoleOutput())
                .contains("Linux version 6.1.0").contains("cloud-arm64").contains("fedimg local test: ok"));
    }

    @Test
    void everyAmiAndItsSnapshotArePublicAccordingToEc2() {
        try (AwsClients aws = new AwsClients(AwsConfig.of("us-east-1", pipeline.emulator().endpoint()),
                new AwsCallMetrics(new SimpleMeterRegistry()))) {
            PublicityCheck check = new PublicityCheck(aws);
            List<AmiPublished> published = watcher.seen(AmiPublished.class).stream()
                    .filter(p -> p.outcome() == RegionOutcome.PUBLISHED).toList();
            assertThat(published).isNotEmpty();
            for (AmiPublished p : published) {
                assertThat(check.isPublic(p.region(), p.amiId())).as("%s in %s", p.amiId(), p.region()).isTrue();
            }
        }
    }

    /**
     * Issue 22 end to end: the x86_64 image's instance-store AMI is registered from its bundle, tested, copied
     * and public in every region (EC2's own view: root device type, launch permission); the aarch64 image has none;
     * the bus messages of its stages say so in {@code extra.storage_type}.
     */
    @Test
    void theInstanceStoreAmiIsPublicInEveryRegion() throws Exception {
        List<AmiPublished> bundles = watcher.seen(AmiPublished.class).stream()
                .filter(p -> p.sourceAmi().variant().instanceStore()).toList();
        try (AwsClients aws = new AwsClients(AwsConfig.of("us-east-1", pipeline.emulator().endpoint()),
                new AwsCallMetrics(new SimpleMeterRegistry()))) {
            PublicityCheck check = new PublicityCheck(aws);
            for (LocalCompose.Image image : compose.images()) {
                String key = ImageKeys.of(compose.composeId(), image.fileName());
                List<AmiPublished> mine = bundles.stream().filter(p -> p.imageKey().equals(key)).toList();
                if (!"x86_64".equals(image.arch())) {
                    assertThat(mine).as("instance-store AMIs of %s", key).isEmpty();
                    continue;
                }
                assertThat(mine).as("instance-store AMIs of %s", key)
                        .allSatisfy(p -> assertThat(p.outcome()).isEqualTo(RegionOutcome.PUBLISHED))
                        .extracting(AmiPublished::region).containsExactlyInAnyOrderElementsOf(E2eConfig.REGIONS);
                for (AmiPublished p : mine) {
                    Views.Image ami = pipeline.emulator().inspect().image(p.region(), p.amiId()).orElseThrow();
                    assertThat(ami.rootDeviceType()).as("%s in %s", p.amiId(), p.region()).isEqualTo("instance-store");
                    assertThat(ami.state()).isEqualTo("available");
                    assertThat(check.isPublic(p.region(), p.amiId())).as("%s in %s", p.amiId(), p.region()).isTrue();
                }
                String name = image.fileName().replace(".raw.xz", "");
                List<String> stages = List.of("image.upload:completed", "image.test:completed", "image.copy",
                        "image.publish");
                // statuses reach the bus on their own channel, and may trail the successor message awaited above
                bus.awaitUntil(Duration.ofMinutes(2), got -> instanceStoreStages(got, name).containsAll(stages));
                assertThat(instanceStoreStages(bus.received(), name)).as("bus messages of %s's instance-store AMI", name)
                        .containsAll(stages);
            }
        }
    }

    /** The stages (with their status, when the message has one) of the bus messages about an instance-store AMI. */
    private Set<String> instanceStoreStages(List<RabbitBus.Received> got, String imageName) {
        return got.stream().filter(m -> m.routingKey().contains(".fedimg.image.")
                        && imageName.equals(m.body().path("image_name").asText())
                        && "instance-store".equals(m.body().path("extra").path("storage_type").asText()))
                .map(m -> m.routingKey().substring(m.routingKey().indexOf(".fedimg.") + 8)
                        + (m.body().has("status") ? ":" + m.body().get("status").asText() : ""))
                .collect(Collectors.toSet());
    }

    @Test
    void noDuplicateAmisAndNothingLeaked() {
        for (String region : E2eConfig.REGIONS) {
            List<Views.Image> images = pipeline.emulator().inspect().images(region);
            assertThat(images.stream().map(Views.Image::name).toList()).as("AMI names in %s", region).doesNotHaveDuplicates();
            assertThat(pipeline.emulator().inspect().instances(region)).as("instances in %s", region)
                    .allSatisfy(i -> assertThat(i.state()).isIn("terminated", "shutting-down"));
            assertThat(pipeline.emulator().inspect().volumes(region)).as("volumes in %s", region).isEmpty();
            assertThat(pipeline.emulator().inspect().keyPairs(region)).as("key pairs in %s", region).isEmpty();
        }
    }

    @Test
    void busCarriesEveryStageInOrderPerImage() throws Exception {
        // the bridge forwards statuses and aggregates on separate channels: the successor message awaited above can
        // overtake the last image.copy statuses when the machine is busy
        bus.awaitUntil(Duration.ofMinutes(2), got -> compose.images().stream().allMatch(image -> got.stream()
                .filter(m -> m.routingKey().contains(".fedimg.image.copy")
                        && image.fileName().replace(".raw.xz", "").equals(m.body().path("image_name").asText()))
                .count() >= E2eConfig.REGIONS.size() - 1));
        List<RabbitBus.Received> fedimg = bus.received().stream()
                .filter(m -> m.routingKey().startsWith("org.fedoraproject." + environment + ".fedimg.")).toList();
        for (LocalCompose.Image image : compose.images()) {
            String name = image.fileName().replace(".raw.xz", "");
            List<String> stages = fedimg.stream()
                    .filter(m -> name.equals(m.body().path("image_name").asText()))
                    .map(m -> m.routingKey().substring(m.routingKey().indexOf(".fedimg.") + 8)
                            + (m.body().has("status") ? ":" + m.body().get("status").asText() : ""))
                    .toList();
            assertThat(stages).as("bus messages of %s", name).contains("image.upload:started", "image.upload:completed");
            assertThat(stages.indexOf("image.upload:started")).isLessThan(stages.indexOf("image.upload:completed"));
            int lastUpload = stages.lastIndexOf("image.upload:completed");
            int firstCopy = indexOfPrefix(stages, "image.copy");
            int firstPublish = indexOfPrefix(stages, "image.publish");
            assertThat(firstCopy).as("copies of %s", name).isGreaterThan(lastUpload);
            assertThat(firstPublish).as("publish of %s", name).isGreaterThan(lastUpload);
            assertThat(stages.stream().filter(s -> s.startsWith("image.copy")).count())
                    .as("one image.copy per non-base region and variant").isGreaterThanOrEqualTo(E2eConfig.REGIONS.size() - 1);
            for (RabbitBus.Received m : fedimg) {
                assertThat(m.headers()).containsKeys("fedora_messaging_schema", "fedora_messaging_severity", "sent-at");
                assertThat(UUID.fromString(m.messageId())).isNotNull();
            }
        }
    }

    @Test
    void successorMessageNamesEveryRegion() {
        List<RabbitBus.Received> successor = bus.received().stream()
                .filter(m -> m.routingKey().contains(".fedora_image_uploader.published.v1.aws.")).toList();
        assertThat(successor).hasSize(imageKeys.size());
        for (RabbitBus.Received m : successor) {
            assertThat(m.body().get("compose_id").asText()).isEqualTo(compose.composeId());
            Set<String> regions = new java.util.TreeSet<>();
            m.body().get("regions").fieldNames().forEachRemaining(regions::add);
            assertThat(regions).containsExactlyInAnyOrderElementsOf(E2eConfig.REGIONS);
            assertThat(m.headers().get("fedora_messaging_schema").toString()).isEqualTo("fedora_image_uploader.published.v1.aws");
        }
    }

    @Test
    void catalogueAnswers() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        URI base = pipeline.service("replicator-service").baseUri();
        String amis = http.send(HttpRequest.newBuilder(base.resolve("/amis?compose="
                + URLEncoder.encode(compose.composeId(), StandardCharsets.UTF_8))).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        for (AmiPublished p : watcher.seen(AmiPublished.class)) {
            assertThat(amis).contains(p.amiId()).contains(p.region());
        }
        for (String key : imageKeys) {
            HttpResponse<String> image = http.send(HttpRequest.newBuilder(base.resolve("/images/"
                    + URLEncoder.encode(key, StandardCharsets.UTF_8))).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(image.statusCode()).isEqualTo(200);
            E2eConfig.REGIONS.forEach(r -> assertThat(image.body()).contains(r));
        }
    }

    @Test
    void everyRecordOfOneImageCarriesOneTrace() {
        Map<String, Set<String>> traces = new TreeMap<>();
        try (TopicProbe probe = new TopicProbe(pipeline.broker().bootstrapServers())) {
            for (String topic : List.of(Topics.IMAGES, Topics.AMIS_REGISTERED, Topics.AMIS_TESTED, Topics.AMIS_PUBLISHED,
                    Topics.STATUS)) {
                // every image has records on every topic, written by the four services
                for (TopicProbe.Received r : probe.readUntil(topic, Duration.ofSeconds(60),
                        all -> all.stream().map(x -> x.headers().get("ce_subject")).collect(Collectors.toSet())
                                .containsAll(imageKeys))) {
                    String key = r.headers().get("ce_subject");
                    if (imageKeys.contains(key)) {
                        String traceparent = r.headers().get(TraceContext.HEADER);
                        assertThat(traceparent).as("traceparent of %s", r).isNotNull();
                        traces.computeIfAbsent(key, k -> new TreeSet<>())
                                .add(TraceContext.parse(traceparent).orElseThrow().traceId());
                    }
                }
            }
        }
        traces.forEach((key, ids) -> assertThat(ids).as("trace ids of %s", key).hasSize(1));
        assertThat(traces.values().stream().flatMap(Set::stream).distinct()).as("one trace per image")
                .hasSize(imageKeys.size());
    }

    /**
     * With tracing on, each image's work is one exported trace: the bridge's span, the upload as its child, each
     * AMI's test as a child of the upload, and each variant's replication as a child of its test.
     */
    @Test
    void eachImagesSpansFromTheFourServicesFormOneTrace() {
        Map<String, String> serviceOfStage = Map.of("fedimg bridge", "bridge-fedmsg", "fedimg upload", "uploader-service",
                "fedimg test", "tester-service", "fedimg replicate", "replicator-service");
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> imageKeys.forEach(key ->
                assertThat(traces.spans().stream().filter(s -> key.equals(s.attributes().get("fedimg.image.key")))
                        .map(OtlpCollector.ExportedSpan::name)).as("stages of %s among %d exported spans", key, traces.spans().size())
                        .containsAll(serviceOfStage.keySet())));
        for (String key : imageKeys) {
            List<OtlpCollector.ExportedSpan> spans = traces.spans().stream()
                    .filter(s -> key.equals(s.attributes().get("fedimg.image.key"))).toList();
            assertThat(spans).as("spans of %s", key)
                    .allSatisfy(s -> assertThat(s.service()).isEqualTo(serviceOfStage.get(s.name())));
            assertThat(spans.stream().map(OtlpCollector.ExportedSpan::traceId).distinct()).as("trace of %s", key).hasSize(1);
            Map<String, Set<String>> ids = spans.stream().collect(Collectors.groupingBy(OtlpCollector.ExportedSpan::name,
                    Collectors.mapping(OtlpCollector.ExportedSpan::spanId, Collectors.toSet())));
            Map<String, String> parentStage = Map.of("fedimg upload", "fedimg bridge", "fedimg test", "fedimg upload",
                    "fedimg replicate", "fedimg test");
            parentStage.forEach((stage, parent) -> assertThat(spans).filteredOn(s -> s.name().equals(stage))
                    .as("%s of %s under %s", stage, key, parent)
                    .isNotEmpty().allSatisfy(s -> assertThat(ids.get(parent)).contains(s.parentSpanId())));
        }
    }

    /** A replay without --force must leave AWS and the bus exactly as they were. */
    @Test
    @Order(Order.DEFAULT + 1)
    void replayWithoutForceCreatesNothing() throws Exception {
        // the bridge publishes status messages and the aggregate's successor message from different topics:
        // wait until the first run's bus output has settled before taking the "before" picture
        awaitQuiet(() -> bus.received().size() + watcher.seen().size(), Duration.ofSeconds(10));
        var inspect = pipeline.emulator().inspect();
        var before = inspect.liveResources();
        long copies = inspect.callCount("CopyImage");
        long registrations = inspect.callCount("RegisterImage");
        long launches = inspect.callCount("RunInstances");
        int busBefore = bus.received().size();
        int eventsBefore = watcher.seen().size();
        long distinctBefore = watcher.seen().stream().map(e -> e.eventId()).distinct().count();

        int exit = new picocli.CommandLine(new org.fedoraproject.fedimg.cli.replay.ReplayCommand()).execute(
                "--compose", compose.composeId(), "--bootstrap-servers", pipeline.broker().bootstrapServers());
        assertThat(exit).isZero();
        // the replayed events flow through the services again, then the pipeline goes quiet
        org.awaitility.Awaitility.await().atMost(Duration.ofMinutes(1)).until(() -> watcher.seen().size() > eventsBefore);
        awaitQuiet(() -> bus.received().size() + watcher.seen().size(), Duration.ofSeconds(15));

        assertThat(inspect.liveResources()).isEqualTo(before);
        assertThat(inspect.callCount("CopyImage")).isEqualTo(copies);
        assertThat(inspect.callCount("RegisterImage")).isEqualTo(registrations);
        assertThat(inspect.callCount("RunInstances")).isEqualTo(launches);
        assertThat(bus.received()).as("bus messages after the replay").hasSize(busBefore);
        assertThat(bus.received().stream().map(RabbitBus.Received::messageId).toList()).as("bus message ids")
                .doesNotHaveDuplicates();
        assertThat(watcher.seen().size()).isGreaterThan(eventsBefore);
        assertThat(watcher.seen().stream().map(e -> e.eventId()).distinct().count())
                .as("every replayed event reuses the id of the event it repeats").isEqualTo(distinctBefore);
    }

    /**
     * No dead panels: after a run, bad input to every service and a repeated compose message, every metric the
     * dashboards and rules query is in some service's /q/metrics, except the few that only rare events create.
     */
    @Test
    @Order(Order.DEFAULT + 2)
    void everyMetricTheDashboardsAndRulesQueryIsExported() throws Exception {
        Map<String, String> onlyOnRareEvents = Map.of(
                "fedimg_bridge_fedmsg_signatures_total", "counts checks of inbound fedmsg signatures; this bus is AMQP",
                "fedimg_tester_leftovers_removed_total", "counts what the sweeper removes after a crashed tester",
                "fedimg_replicator_public_ami_quota_refused_total",
                "counts regions refused for a full public AMI quota; the run's quota has room");
        String pungi = "org.fedoraproject." + environment + ".pungi.compose.status.change";
        bus.publish(pungi, Map.of("not", "a pungi message")); // a bridge dead letter
        bus.publish(pungi, compose.finishedMessageBody()); // a new message id for a compose already done: a duplicate
        try (TopicProbe probe = new TopicProbe(pipeline.broker().bootstrapServers())) {
            for (String topic : List.of(Topics.IMAGES, Topics.AMIS_REGISTERED, Topics.AMIS_TESTED)) {
                probe.sendRaw(topic, "e2e-bad-input", "not an event".getBytes(StandardCharsets.UTF_8));
            }
        }
        Path deploy = E2eConfig.projectDir().resolve("deploy");
        org.awaitility.Awaitility.await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofSeconds(2))
                .untilAsserted(() -> assertThat(DashboardMetrics.missingFrom(deploy, scrapeEveryService()))
                        .as("queried by dashboards or rules, exported by no service (may be absent: %s)", onlyOnRareEvents)
                        .isSubsetOf(onlyOnRareEvents.keySet()));
    }

    /** --force makes new AMIs under the next respin name in every region, next to the first run's. */
    @Test
    @Order(Order.DEFAULT + 3)
    void forcedReplayUploadsAgainUnderTheNextRespinName() throws Exception {
        awaitQuiet(() -> bus.received().size() + watcher.seen().size(), Duration.ofSeconds(5));
        Set<String> firstAmis = watcher.seen(AmiPublished.class).stream().map(AmiPublished::amiId)
                .collect(Collectors.toSet());
        long successorsBefore = successorMessages();

        int exit = new picocli.CommandLine(new org.fedoraproject.fedimg.cli.replay.ReplayCommand()).execute(
                "--compose", compose.composeId(), "--force", "--bootstrap-servers", pipeline.broker().bootstrapServers());
        assertThat(exit).isZero();
        bus.awaitUntil(run.runBound(), got -> successorMessages() >= successorsBefore + imageKeys.size());

        for (LocalCompose.Image image : compose.images()) {
            String name = image.fileName().replace(".raw.xz", "");
            for (String region : E2eConfig.REGIONS) {
                List<String> names = pipeline.emulator().inspect().images(region).stream().map(Views.Image::name)
                        .filter(n -> n.startsWith(name + "-")).toList();
                // the default name template ends in the respin: <name>-<virt>-<volume>-<respin>
                List<String> first = names.stream().filter(n -> n.endsWith("-0")).toList();
                List<String> respun = names.stream().filter(n -> n.endsWith("-1")).toList();
                assertThat(names).as("AMI names of %s in %s", name, region).doesNotHaveDuplicates();
                assertThat(respun).as("respin 1 of %s in %s", name, region).hasSameSizeAs(first).isNotEmpty();
            }
        }
        List<AmiPublished> respun = watcher.seen(AmiPublished.class).stream()
                .filter(p -> !firstAmis.contains(p.amiId())).toList();
        assertThat(respun).allSatisfy(p -> assertThat(p.outcome()).isEqualTo(RegionOutcome.PUBLISHED));
        assertThat(respun.stream().map(AmiPublished::region).collect(Collectors.toSet()))
                .containsExactlyInAnyOrderElementsOf(E2eConfig.REGIONS);
        assertThat(successorMessages()).as("one more successor message per image").isEqualTo(successorsBefore
                + imageKeys.size());
    }

    private long successorMessages() {
        return run.successorMessages();
    }

    /** Runs last, over everything the services logged: JSON lines, and no secret in any of them. */
    @Test
    @Order(Order.DEFAULT + 4)
    void logsAreJsonLinesWithoutSecrets() throws Exception {
        String keyMaterial = signing.keyBase64().substring(64, 128);
        for (ServiceProcess service : pipeline.services()) {
            List<String> lines = Files.readAllLines(service.log()).stream().filter(l -> !l.isBlank()).toList();
            assertThat(lines).as("%s log", service.name()).hasSizeGreaterThan(5);
            for (String line : lines) {
                assertThat(isJsonLogEntry(line)).as("%s: a JSON log entry: %s", service.name(), line).isTrue();
                assertThat(line).as("%s log", service.name()).doesNotContain(E2eConfig.AWS_SECRET)
                        .doesNotContain(keyMaterial).doesNotContain("PRIVATE KEY").doesNotContain("guest:guest");
            }
        }
    }

    private static boolean isJsonLogEntry(String line) {
        try {
            JsonNode entry = EventJson.MAPPER.readTree(line);
            return entry.isObject() && entry.has("message") && entry.has("level");
        } catch (java.io.IOException e) {
            return false;
        }
    }

    private List<String> scrapeEveryService() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        List<String> expositions = new java.util.ArrayList<>();
        for (ServiceProcess service : pipeline.services()) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(service.baseUri().resolve("/q/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as("%s /q/metrics", service.name()).isEqualTo(200);
            expositions.add(r.body());
        }
        return expositions;
    }

    /** Returns once the count has not changed for {@code quiet}; fails after three minutes. */
    private static void awaitQuiet(java.util.function.IntSupplier count, Duration quiet) {
        int[] last = {-1};
        long[] since = {System.nanoTime()};
        org.awaitility.Awaitility.await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1)).until(() -> {
            int now = count.getAsInt();
            if (now != last[0]) {
                last[0] = now;
                since[0] = System.nanoTime();
                return false;
            }
            return System.nanoTime() - since[0] >= quiet.toNanos();
        });
    }

    private static int indexOfPrefix(List<String> list, String prefix) {
        for (int i = 0; i < list.size(); i++) {
            if (list.get(i).startsWith(prefix)) {
                return i;
            }
        }
        return -1;
    }
}
