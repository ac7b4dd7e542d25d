package org.fedoraproject.fedimg.e2e;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.stream.Collectors;

import org.fedoraproject.fedimg.cli.local.LocalCompose;
import org.fedoraproject.fedimg.cli.local.Pipeline;
import org.fedoraproject.fedimg.cli.local.PipelineWatcher;
import org.fedoraproject.fedimg.emulator.Delays;
import org.fedoraproject.fedimg.emulator.vm.InstanceBackend;
import org.fedoraproject.fedimg.emulator.vm.QemuHost;
import org.fedoraproject.fedimg.events.ImageKeys;

/**
 * One whole pipeline of an end-to-end class, run as a user runs it: a generated compose served over HTTP, Kafka,
 * the emulator, the four services as separate processes, the bridge on the AMQP bus in an environment of its own,
 * a watcher on every topic, and the compose's pungi FINISHED message published and followed until every image's
 * successor message is on the bus.
 *
 * <p>The emulator's instances boot for real (the qemu backend, with the project's bootable test images as the
 * compose's images) where QEMU is installed, as local mode does; elsewhere, or with
 * {@code -Dfedimg.e2e.instance-backend=bash}, they run their user-data on the host and the compose's images are
 * generated file systems. Either way the backend and the reason are printed.
 */
final class E2ePipeline implements AutoCloseable {

    static final String BACKEND_PROPERTY = "fedimg.e2e.instance-backend";

    final String environment;
    final Path work;
    final InstanceBackend backend;
    final LocalCompose compose;
    final Set<String> imageKeys;
    Pipeline pipeline;
    RabbitBus bus;
    PipelineWatcher watcher;

    /** Chooses the backend and writes and serves the compose (bootable images on qemu, else {@code imageMiB} ones). */
    E2ePipeline(String environmentPrefix, int imageMiB) throws Exception {
        environment = environmentPrefix + UUID.randomUUID().toString().substring(0, 8);
        work = Files.createTempDirectory("fedimg-" + environmentPrefix + "-");
        String[] why = {""};
        Map<String, Path> bootable = backendWanted(r -> why[0] = r) == InstanceBackend.QEMU
                ? LocalCompose.bootableTestImages(r -> why[0] = r) : Map.of();
        backend = bootable.isEmpty() ? InstanceBackend.BASH : InstanceBackend.QEMU;
        System.out.println("[e2e] " + getClass().getSimpleName() + " " + environment + ": instance backend "
                + backend.name().toLowerCase() + (backend == InstanceBackend.QEMU
                        ? " (every test instance boots its AMI's disk in QEMU)" : " (" + why[0] + ")"));
        compose = (backend == InstanceBackend.QEMU ? LocalCompose.generateBootable(work, "43", bootable)
                : LocalCompose.generate(work, "43", imageMiB)).serve();
        imageKeys = compose.images().stream().map(i -> ImageKeys.of(compose.composeId(), i.fileName()))
                .collect(Collectors.toSet());
    }

    /** qemu where QEMU is installed and not switched off; else bash, the reason given to {@code why}. */
    static InstanceBackend backendWanted(Consumer<String> why) {
        if ("bash".equals(System.getProperty(BACKEND_PROPERTY))) {
            why.accept("-D" + BACKEND_PROPERTY + "=bash");
            return InstanceBackend.BASH;
        }
        List<String> missing = QemuHost.get().missingPackages();
        if (!missing.isEmpty()) {
            why.accept("QEMU is not installed here; missing packages: " + String.join(" ", missing));
            return InstanceBackend.BASH;
        }
        return InstanceBackend.QEMU;
    }

    boolean boots() {
        return backend == InstanceBackend.QEMU;
    }

    /** How long one run of the compose may take: boots under TCG take tens of seconds, two VMs at a time. */
    Duration runBound() {
        return boots() ? Duration.ofMinutes(15) : Duration.ofMinutes(6);
    }

    /**
     * Starts Kafka and the emulator, lets {@code beforeServices} adjust the emulator, starts the services and the
     * watcher, publishes the compose's FINISHED message and waits for a successor message per image.
     */
    E2ePipeline run(List<String> regions, Map<String, String> common, Map<String, Map<String, String>> perService,
            Consumer<Pipeline> beforeServices) throws Exception {
        pipeline = new Pipeline(new Pipeline.Settings(E2eConfig.projectDir(), Delays.fast(), regions, common,
                perService, backend));
        pipeline.startInfrastructure();
        beforeServices.accept(pipeline);
        bus = new RabbitBus(E2eConfig.amqpUrl(), List.of("org.fedoraproject." + environment + ".fedimg.#",
                "org.fedoraproject." + environment + ".fedora_image_uploader.#"));
        pipeline.startServices();
        watcher = new PipelineWatcher(pipeline.broker().bootstrapServers(), e -> {
        });
        bus.publish("org.fedoraproject." + environment + ".pungi.compose.status.change", compose.finishedMessageBody());
        bus.awaitUntil(runBound(), got -> successorMessages() >= imageKeys.size());
        return this;
    }

    long successorMessages() {
        return bus.received().stream().filter(m -> m.routingKey().contains(".fedora_image_uploader.published.")).count();
    }

    @Override
    public void close() throws Exception {
        if (watcher != null) {
            watcher.close();
        }
        if (bus != null) {
            bus.close();
        }
        if (pipeline != null) {
            pipeline.close();
        }
        compose.close();
    }
}
