package org.fedoraproject.fedimg.e2e;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.fedoraproject.fedimg.cli.local.LocalCompose;
import org.fedoraproject.fedimg.cli.local.Pipeline;
import org.fedoraproject.fedimg.cli.local.PipelineWatcher;
import org.fedoraproject.fedimg.emulator.Delays;
import org.fedoraproject.fedimg.events.ImageKeys;
import org.fedoraproject.fedimg.events.ImagePublished;
import org.fedoraproject.fedimg.messaging.EventJson;
import org.fedoraproject.fedimg.local.ServiceProcess;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One pipeline for the hostile suites (bad input, then the invariant; {@link HostileIT}), started on first use:
 * the four services on AMQP and a fedmsg PUB socket (signatures checked against
 * the fedmsg CA of ../shared when it is there), the emulator, a compose server for the bad files, and a test
 * script that fails while {@link #failTests} is on.
 */
final class HostilePipeline {

    static final List<String> REGIONS = List.of("us-east-1", "eu-west-1", "ap-southeast-2", "sa-east-1");
    /**
     * The bounds set on this pipeline, small so that inputs past them stay cheap: images.json of 1 MiB and 64
     * images, 5 redirects, volumes of at most 2 GiB (the xz bomb decompresses past that).
     */
    static final BadInputs.Bounds BOUNDS = new BadInputs.Bounds(1_048_576, 64, 5, 2);
    /** The trigger's bearer token on this pipeline (the probes guess around it). */
    static final String TRIGGER_TOKEN = "hostile-" + UUID.randomUUID();
    private static HostilePipeline instance;

    final String environment = "e2e" + UUID.randomUUID().toString().substring(0, 8);
    final Path work;
    final Pipeline pipeline;
    RabbitBus bus;
    final PipelineWatcher watcher;
    final FedmsgFrames fedmsg;
    final List<ObjectNode> signedEnvelopes;
    final Redirector redirector;
    /** What the bridge and the uploader fetch through: every connection they try, recorded. */
    final RecordingProxy proxy;
    private final LocalCompose files;
    private final Path failFlag;
    private final Map<String, LocalCompose> good = new LinkedHashMap<>();

    /** The pipeline, started on first use; {@link #stop} ends it. */
    static synchronized HostilePipeline get() throws Exception {
        if (instance == null) {
            instance = new HostilePipeline();
        }
        return instance;
    }

    static synchronized void stop() {
        if (instance != null) {
            instance.close();
            instance = null;
        }
    }

    private HostilePipeline() throws Exception {
        Pipeline.requireBuilt(E2eConfig.projectDir());
        work = Files.createTempDirectory("fedimg-hostile-");
        // a compose server for files the generator writes (its own compose is never announced)
        files = LocalCompose.generate(work.resolve("served"), "99", 1).serve();
        redirector = new Redirector(baseUrl());
        proxy = new RecordingProxy();
        failFlag = work.resolve("fail-tests");
        // not test-ami.sh: E2eConfig.perService writes local mode's script there
        Path script = work.resolve("test-ami-hostile.sh");
        Files.writeString(script, "#!/bin/bash\n# fails while the suite asks for failing tests\n"
                + "if [ -e '" + failFlag + "' ]; then echo 'fedimg e2e: failing on purpose'; exit 3; fi\n"
                + "echo 'fedimg e2e test: ok'\n");
        signedEnvelopes = signedFixtures();
        fedmsg = new FedmsgFrames();
        Map<String, String> bridge = new LinkedHashMap<>(E2eConfig.perService(environment, "fedimg-" + environment, work)
                .get("bridge-fedmsg"));
        bridge.put("fedimg.bridge.fedmsg.subscribe.enabled", "true");
        bridge.put("fedimg.bridge.fedmsg.subscribe.endpoints", fedmsg.endpoint());
        bridge.put("fedimg.bridge.fedmsg.subscribe.topic-prefixes", topic());
        bridge.put("fedimg.bridge.compose.location-templates", baseUrl() + "/bad/{composeId}/compose");
        bridge.put("fedimg.bridge.compose.max-metadata-bytes", String.valueOf(BOUNDS.maxMetadataBytes()));
        bridge.put("fedimg.bridge.compose.max-images", String.valueOf(BOUNDS.maxImages()));
        bridge.put("fedimg.sources.max-redirects", String.valueOf(BOUNDS.maxRedirects()));
        bridge.put("fedimg.bridge.trigger.token", TRIGGER_TOKEN);
        // enough for the probes; the flood goes past it
        bridge.put("fedimg.bridge.trigger.requests-per-minute", String.valueOf(TriggerProbes.RATE_PER_MINUTE));
        bridge.put("fedimg.sources.proxy", proxy.hostPort());
        Map<String, String> uploader = Map.of("fedimg.uploader.ebs.volume-size-gib", "1",
                "fedimg.uploader.ebs.max-volume-size-gib", String.valueOf(BOUNDS.maxVolumeGib()),
                "fedimg.sources.max-redirects", String.valueOf(BOUNDS.maxRedirects()),
                "fedimg.sources.proxy", proxy.hostPort());
        if (!signedEnvelopes.isEmpty()) {
            bridge.put("fedimg.bridge.fedmsg.validation.enabled", "true");
            bridge.put("fedimg.bridge.fedmsg.validation.ca-cert", sharedFixtures().resolve("fedmsg/fedmsg-test-ca.crt").toString());
            // the fixtures were signed in 2017 with certificates long expired
            bridge.put("fedimg.bridge.fedmsg.validation.check-validity-dates", "false");
        }
        pipeline = new Pipeline(new Pipeline.Settings(E2eConfig.projectDir(), Delays.fast(), REGIONS, Map.of(),
                Map.of("bridge-fedmsg", bridge, "uploader-service", uploader,
                        "tester-service", Map.of("fedimg.tester.script-path", script.toString()),
                        "replicator-service", Map.of())));
        try {
            pipeline.startInfrastructure();
            bus = new RabbitBus(E2eConfig.amqpUrl(), List.of("org.fedoraproject." + environment + ".fedimg.#",
                    "org.fedoraproject." + environment + ".fedora_image_uploader.#"));
            pipeline.startServices();
        } catch (RuntimeException | Error e) {
            // nothing left running when the start fails (e.g. a service not built)
            pipeline.close();
            fedmsg.close();
            files.close();
            redirector.close();
            proxy.close();
            throw e;
        }
        watcher = new PipelineWatcher(pipeline.broker().bootstrapServers(), e -> {
        });
    }

    String topic() {
        return "org.fedoraproject." + environment + ".pungi.compose.status.change";
    }

    Path served() {
        return work.resolve("served");
    }

    String baseUrl() {
        return files.location().substring(0, files.location().length() - "/compose".length());
    }

    boolean fedmsgValidated() {
        return !signedEnvelopes.isEmpty();
    }

    void failTests(boolean fail) throws IOException {
        if (fail) {
            Files.writeString(failFlag, "on\n");
        } else {
            Files.deleteIfExists(failFlag);
        }
    }

    /** Announces a good compose of two tiny images on AMQP, once per release; returns it. */
    synchronized LocalCompose announceGood(String release) throws IOException {
        LocalCompose c = good.get(release);
        if (c == null) {
            c = LocalCompose.generate(Files.createDirectories(work.resolve("good-" + release)), release, 3).serve();
            bus.publish(topic(), c.finishedMessageBody());
            good.put(release, c);
        }
        return c;
    }

    /** The locations of the good composes announced so far (the failing one included). */
    synchronized List<String> announcedLocations() {
        return good.values().stream().map(LocalCompose::location).toList();
    }

    /**
     * {@link InvariantCheck} over every region, against the good composes announced so far and any other compose
     * given (by location): the images an AMI of this pipeline may hold.
     */
    InvariantCheck.Result invariant(List<String> moreComposes) {
        List<String> locations = new ArrayList<>(announcedLocations());
        locations.addAll(moreComposes);
        try (SnapshotContents contents = new SnapshotContents(pipeline.emulator().endpoint(), ComposeTruth.readAll(locations))) {
            return InvariantCheck.check(pipeline.emulator().inspect(), contents, REGIONS, REGIONS.get(0), watcher.seen());
        }
    }

    /** The aggregates of every image of the compose, once all are there. */
    List<ImagePublished> awaitAggregates(LocalCompose c, Duration timeout) {
        org.awaitility.Awaitility.await().atMost(timeout).pollInterval(Duration.ofSeconds(1))
                .until(() -> aggregates(c).stream().map(ImagePublished::imageKey).distinct().count() == c.images().size());
        return aggregates(c);
    }

    List<ImagePublished> aggregates(LocalCompose c) {
        List<String> keys = c.images().stream().map(i -> ImageKeys.of(c.composeId(), i.fileName())).toList();
        return watcher.seen(ImagePublished.class).stream().filter(a -> keys.contains(a.imageKey())).toList();
    }

    /** Every service process is alive and says UP on /q/health. */
    Map<String, String> health() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        Map<String, String> out = new LinkedHashMap<>();
        for (ServiceProcess s : pipeline.services()) {
            if (!s.isAlive()) {
                out.put(s.name(), "process exited");
                continue;
            }
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(s.baseUri().resolve("/q/health"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            out.put(s.name(), r.statusCode() == 200 && r.body().contains("\"UP\"") ? "UP" : r.statusCode() + " " + r.body());
        }
        return out;
    }

    /** The bridge's base URL (its HTTP API, the trigger). */
    java.net.URI bridgeUri() {
        return pipeline.services().stream().filter(s -> s.name().equals("bridge-fedmsg")).findFirst().orElseThrow()
                .baseUri();
    }

    static Path sharedFixtures() {
        return Path.of(System.getProperty("fedimg.shared.dir", E2eConfig.projectDir().resolve("../shared").toString()))
                .toAbsolutePath().normalize().resolve("fixtures");
    }

    /** The 25 X.509-signed prod messages of ../shared, or none when it is absent. */
    private static List<ObjectNode> signedFixtures() throws IOException {
        Path file = sharedFixtures().resolve("fedmsg/datagrepper-signed-prod-messages-2017-09-05.json");
        Path ca = sharedFixtures().resolve("fedmsg/fedmsg-test-ca.crt");
        List<ObjectNode> out = new ArrayList<>();
        if (Files.exists(file) && Files.exists(ca)) {
            EventJson.MAPPER.readTree(file.toFile()).get("raw_messages").forEach(n -> out.add(asSigned((ObjectNode) n)));
        } else {
            System.err.println("[hostile e2e] " + file + " not found: no signature inputs, fedmsg validation off");
        }
        return out;
    }

    /**
     * Datagrepper stores a fedmsg message with fields added after signing (source_name, source_version, empty
     * headers) and a float timestamp; the signature covers the message as sent. The same undoing as the bridge
     * tests' {@code FedmsgEnvelopes.fixDatagrepper}, which e2e cannot link.
     */
    private static ObjectNode asSigned(ObjectNode stored) {
        ObjectNode m = stored.deepCopy();
        m.remove(List.of("source_name", "source_version"));
        if (m.path("headers").isObject() && m.get("headers").isEmpty()) {
            m.remove("headers");
        }
        if (m.path("timestamp").isFloatingPointNumber()) {
            m.put("timestamp", m.get("timestamp").longValue());
        }
        return m;
    }

    private void close() {
        try {
            watcher.close();
            bus.close();
        } catch (Exception e) {
            // stopping anyway
        }
        pipeline.close();
        fedmsg.close();
        files.close();
        redirector.close();
        proxy.close();
        good.values().forEach(LocalCompose::close);
    }
}
