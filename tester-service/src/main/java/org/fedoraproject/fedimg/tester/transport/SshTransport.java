package org.fedoraproject.fedimg.tester.transport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.fedoraproject.fedimg.aws.AwsTags;
import org.fedoraproject.fedimg.tester.aws.ConsoleReader;
import org.fedoraproject.fedimg.tester.aws.SshAccess;
import org.fedoraproject.fedimg.tester.config.TesterConfig;
import org.fedoraproject.fedimg.tester.domain.FailureKind;
import org.fedoraproject.fedimg.tester.domain.HostKeyFingerprints;
import org.fedoraproject.fedimg.tester.domain.TestAttempts;
import org.fedoraproject.fedimg.tester.domain.TestTags;
import org.fedoraproject.fedimg.tester.domain.VerdictRules.TestFailure;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import software.amazon.awssdk.services.ec2.model.Instance;

/**
 * The ssh transport: a temporary key pair (generated here; only its public half goes to EC2) and a
 * temporary security group open on the ssh port to the tester's own address only; the script is run
 * as the {@code fedora} user over Apache MINA SSHD, with the host key checked against the fingerprints
 * cloud-init printed on the console.
 */
@ApplicationScoped
public class SshTransport implements ScriptTransport {

    private final TesterConfig config;
    private final SshAccess access;
    private final SourceAddress source;
    private final ConsoleReader console;
    private final SshScriptRunner runner;
    /** Private keys of the runs of this process, by run id; a crash loses them, so such runs are not resumable. */
    private final Map<String, KeyPair> keys = new ConcurrentHashMap<>();

    SshTransport(TesterConfig config, SshAccess access, SourceAddress source, ConsoleReader console,
            SshScriptRunner runner) {
        this.config = config;
        this.access = access;
        this.source = source;
        this.console = console;
        this.runner = runner;
    }

    @Override
    public String name() {
        return "ssh";
    }

    @Override
    public boolean canResume(RunContext run) {
        return keys.containsKey(run.runId());
    }

    @Override
    public void forget(String runId) {
        keys.remove(runId);
    }

    @Override
    public Uni<Preparation> prepare(RunContext run) {
        String name = TestAttempts.tempName(run.amiId(), run.attempt());
        // RSA key generation takes up to seconds of CPU: never on the event loop that completed the last step
        return Uni.createFrom().item(() -> keys.computeIfAbsent(run.runId(), id -> generate()))
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .chain(pair -> access.importKey(run.region(), name, PublicKeyEntry.toString(pair.getPublic()) + " " + name,
                        tags(run, TestTags.PURPOSE_KEY, name)))
                .chain(() -> source.cidr())
                .chain(cidr -> access.securityGroup(run.region(), name, cidr, tags(run, TestTags.PURPOSE_SG, name)))
                .map(groupId -> new Preparation(userData(), name, List.of(groupId)));
    }

    @Override
    public Uni<ScriptResult> run(RunContext run, Instance instance, Instant deadline) {
        KeyPair identity = keys.get(run.runId());
        if (identity == null) {
            return Uni.createFrom().failure(new TestFailure(FailureKind.SSH_ERROR,
                    "the private key of " + run.runId() + " is not held by this process", null, null, null));
        }
        String host = "private".equals(config.ssh().addressType()) ? instance.privateIpAddress() : instance.publicIpAddress();
        if (host == null || host.isBlank()) {
            return Uni.createFrom().failure(new TestFailure(FailureKind.SSH_ERROR,
                    "test instance has no " + config.ssh().addressType() + " address", null, null, null));
        }
        Instant fingerprintsBy = min(Instant.now().plus(config.ssh().fingerprintWait()), deadline);
        return fingerprints(run, instance.instanceId(), fingerprintsBy)
                .chain(fps -> Uni.createFrom().item(() -> runner.run(
                        new SshScriptRunner.Target(host, config.ssh().port(), config.ssh().user(), identity, fps,
                                config.ssh().requireConsoleFingerprint()),
                        config.ssh().remoteCommand(), run.script(), deadline, config.ssh().connectTimeout()))
                        .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                        // sshd may come up a little after the status checks: retry refused connections only
                        .onFailure(t -> t instanceof TestFailure f && f.kind() == FailureKind.SSH_ERROR
                                && Instant.now().plusSeconds(2).isBefore(deadline))
                        .retry().withBackOff(Duration.ofSeconds(1), Duration.ofSeconds(10)).atMost(5))
                .chain(r -> console.evidence(run.region(), instance.instanceId()).map(text -> toResult(r, text)));
    }

    private static ScriptResult toResult(SshScriptRunner.Result r, String console) {
        if (r.exitCode() == null) {
            throw new TestFailure(FailureKind.SSH_ERROR, "ssh channel closed without an exit status"
                    + (r.signal() != null ? " (signal " + r.signal() + ")" : ""), null, r.output(), console);
        }
        return new ScriptResult(r.exitCode(), r.output(), console);
    }

    /** Polls the console for cloud-init's fingerprints until some appear or {@code by} passes; empty if none. */
    private Uni<Set<String>> fingerprints(RunContext run, String instanceId, Instant by) {
        return console.latest(run.region(), instanceId).onFailure().recoverWithItem("")
                .chain(text -> {
                    Set<String> found = HostKeyFingerprints.parse(text);
                    if (!found.isEmpty() || !Instant.now().isBefore(by)) {
                        return Uni.createFrom().item(found);
                    }
                    return Uni.createFrom().voidItem().onItem().delayIt().by(config.timeouts().pollInterval())
                            .chain(() -> fingerprints(run, instanceId, by));
                });
    }

    private String userData() {
        return config.ssh().userDataPath().map(p -> {
            try {
                return Files.readString(p);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read fedimg.tester.ssh.user-data-path " + p, e);
            }
        }).orElse(null);
    }

    private static Map<String, String> tags(RunContext run, String purpose, String name) {
        Map<String, String> tags = new HashMap<>(run.tags());
        tags.put(AwsTags.PURPOSE, purpose);
        tags.put(AwsTags.NAME, name);
        return tags;
    }

    private static KeyPair generate() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(3072);
            return g.generateKeyPair();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Instant min(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }
}
