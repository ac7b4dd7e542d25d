package org.fedoraproject.fedimg.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.fedoraproject.fedimg.cli.local.LocalCommand;
import org.fedoraproject.fedimg.testing.RabbitNode;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import picocli.CommandLine;

/**
 * Secrets never appear on a command line (issue 19). {@code fedimg local --bus amqp} runs with a {@code --config}
 * that plants a RabbitMQ password (of a user on a RabbitMQ node of this test's own), AWS keys and a trigger token.
 * While the pipeline runs, no process under this JVM (local mode's Kafka broker and services, and the processes of
 * the end-to-end tests running beside it, all started through {@code ServiceProcess}) has any of them, or the e2e
 * suite's own fake AWS secret, in {@code /proc/<pid>/cmdline}, and no configuration file with them is left behind.
 * The values still arrive: the compose goes through the bridge on AMQP with the planted password, and the trigger
 * refuses a wrong token and takes the planted one.
 */
class LocalModeSecretsIT {

    private static final Pattern SERVICE_URL = Pattern.compile("  [a-z-]+ +(http://127\\.0\\.0\\.1:\\d+) \\(log ");
    private static final Pattern BRIDGE_URL = Pattern.compile("bridge-fedmsg +(http://127\\.0\\.0\\.1:\\d+) ");
    private static final Pattern COMPOSE_ID = Pattern.compile("compose (\\S+) \\(release ");

    private final String rabbitPassword = "rabbitPw" + UUID.randomUUID().toString().replace("-", "");
    private final String awsKeyId = "AKIA" + UUID.randomUUID().toString().replace("-", "").substring(0, 16).toUpperCase();
    private final String awsSecret = "awsSecret/" + UUID.randomUUID();
    private final String triggerToken = "triggerToken-" + UUID.randomUUID();

    @Test
    void noSecretOnAnyCommandLineAndEachStillArrives(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(Files.isReadable(Path.of("/proc/self/cmdline")), "skipped: no /proc here");
        Assumptions.assumeTrue(RabbitNode.unavailableReason().isEmpty(), () -> "skipped: " + RabbitNode.unavailableReason().get());
        try (RabbitNode node = RabbitNode.create().start()) {
            node.addUser("fedimg", rabbitPassword);
            node.setPermissions("fedimg");
            Path config = dir.resolve("secrets.properties");
            Files.writeString(config, String.join("\n",
                    "fedimg.bridge.amqp.url=amqp://fedimg:" + rabbitPassword + "@127.0.0.1:" + node.port() + "/%2F",
                    "fedimg.aws.static-credentials.access-key-id=" + awsKeyId,
                    "fedimg.aws.static-credentials.secret-access-key=" + awsSecret,
                    "fedimg.bridge.trigger.token=" + triggerToken,
                    "fedimg.replicator.regions.allow=us-east-1,eu-west-1", ""));
            Files.setPosixFilePermissions(config, PosixFilePermissions.fromString("rw-------"));

            Lines out = new Lines();
            CompletableFuture<Integer> run = new CompletableFuture<>();
            Thread runner = new Thread(() -> run.complete(new CommandLine(
                    new LocalCommand(new PrintStream(out, true, StandardCharsets.UTF_8))).execute("--bus", "amqp",
                    "--config", config.toString(), "--delays", "zero", "--image-mib", "8", "--instance-backend", "bash", "--work-dir",
                    dir.resolve("runs").toString(), "--project-dir", E2eConfig.projectDir().toString())), "local-mode");
            runner.start();
            List<URI> services;
            try {
                out.await("The pipeline keeps running", run, Duration.ofMinutes(8));
                List<String> secrets = List.of(rabbitPassword, awsKeyId, awsSecret, triggerToken);
                List<String> commandLines = ProcessHandle.current().descendants()
                        .map(p -> p.pid() + ": " + cmdline(p.pid())).toList();
                assertThat(commandLines).as("local mode's Kafka broker and four services are among them")
                        .anyMatch(c -> c.contains("kafka") && c.contains("java"))
                        .filteredOn(c -> c.contains("quarkus-run.jar")).hasSizeGreaterThanOrEqualTo(4);
                for (String secret : Stream.concat(secrets.stream(), Stream.of(E2eConfig.AWS_SECRET)).toList()) {
                    assertThat(commandLines).as("command lines holding a planted secret").noneMatch(c -> c.contains(secret));
                }
                assertServiceConfigFiles(Path.of(System.getProperty("java.io.tmpdir")), secrets);

                String output = out.text();
                assertThat(output).contains("bus: fedora-messaging (AMQP) on amqp://127.0.0.1:" + node.port())
                        .doesNotContain(rabbitPassword).containsPattern("us-east-1 +x86_64 +hvm-gp3 +ami-\\S+ +yes");
                services = all(SERVICE_URL, output).stream().map(URI::create).toList();
                assertThat(services).hasSize(4);
                String bridge = all(BRIDGE_URL, output).get(0);
                String composeId = all(COMPOSE_ID, output).get(0);
                assertThat(trigger(bridge, composeId, null)).isEqualTo(401);
                assertThat(trigger(bridge, composeId, "wrong-" + triggerToken)).isEqualTo(401);
                assertThat(trigger(bridge, composeId, triggerToken)).as("already handled, with the planted token").isEqualTo(409);
            } finally {
                // as Ctrl-C would: local mode stops everything it started
                runner.interrupt();
                run.get();
            }
            for (URI service : services) {
                assertThat(listening(service)).as("%s after local mode stopped", service).isFalse();
            }
        }
    }

    /** The services' configuration files: only this user can read them, and none is left with a secret. */
    private static void assertServiceConfigFiles(Path tmp, List<String> secrets) throws IOException {
        try (Stream<Path> files = Files.list(tmp)) {
            for (Path file : files.filter(p -> p.getFileName().toString().matches("fedimg-.*\\.properties")).toList()) {
                try {
                    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).as("%s", file)
                            .isEqualTo("rw-------");
                    String text = Files.readString(file);
                    assertThat(secrets).as("secrets left in %s", file).noneMatch(text::contains);
                } catch (java.nio.file.NoSuchFileException e) {
                    // a service beside this test started meanwhile and its file is gone
                }
            }
        }
    }

    private static boolean listening(URI service) {
        try (java.net.Socket socket = new java.net.Socket(service.getHost(), service.getPort())) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static String cmdline(long pid) {
        try {
            return new String(Files.readAllBytes(Path.of("/proc/" + pid + "/cmdline")), StandardCharsets.UTF_8)
                    .replace('\0', ' ');
        } catch (IOException e) {
            return ""; // ended meanwhile
        }
    }

    private static int trigger(String bridge, String composeId, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(bridge + "/api/v1/trigger/compose"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"composeId\": \"" + composeId + "\"}"));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private static List<String> all(Pattern pattern, String text) {
        List<String> found = new ArrayList<>();
        for (Matcher m = pattern.matcher(text); m.find(); ) {
            found.add(m.group(1));
        }
        assertThat(found).as("%s in the output:%n%s", pattern, text).isNotEmpty();
        return found;
    }

    /** What local mode prints, kept for the test and echoed to the test's output. */
    private static final class Lines extends OutputStream {
        private final java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();

        @Override
        public synchronized void write(int b) {
            bytes.write(b);
            System.out.write(b);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            bytes.write(b, off, len);
            System.out.write(b, off, len);
        }

        synchronized String text() {
            return bytes.toString(StandardCharsets.UTF_8);
        }

        void await(String line, CompletableFuture<Integer> run, Duration timeout) throws InterruptedException {
            Instant deadline = Instant.now().plus(timeout);
            while (!text().contains(line)) {
                assertThat(run).as("local mode ended early:%n%s", text()).isNotDone();
                assertThat(Instant.now()).as("waiting for '%s':%n%s", line, text()).isBefore(deadline);
                Thread.sleep(500);
            }
        }
    }
}
