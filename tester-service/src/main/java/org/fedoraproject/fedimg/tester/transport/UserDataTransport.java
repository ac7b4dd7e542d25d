package org.fedoraproject.fedimg.tester.transport;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import org.fedoraproject.fedimg.tester.aws.ConsoleReader;
import org.fedoraproject.fedimg.tester.config.TesterConfig;
import org.fedoraproject.fedimg.tester.domain.ConsoleMarkers;
import org.fedoraproject.fedimg.tester.domain.ConsoleMarkers.ScriptRun;
import org.fedoraproject.fedimg.tester.domain.UserDataScript;
import org.fedoraproject.fedimg.tester.domain.VerdictRules;

import io.smallrye.mutiny.Uni;
import software.amazon.awssdk.services.ec2.model.Instance;

/**
 * The default transport: no inbound network at all. The wrapped script rides in user-data, cloud-init
 * runs it at first boot, and the tester polls GetConsoleOutput ({@code Latest}) for the end marker.
 */
@ApplicationScoped
public class UserDataTransport implements ScriptTransport {

    private final ConsoleReader console;
    private final TesterConfig config;

    UserDataTransport(ConsoleReader console, TesterConfig config) {
        this.console = console;
        this.config = config;
    }

    @Override
    public String name() {
        return "user-data";
    }

    @Override
    public Uni<Preparation> prepare(RunContext run) {
        return Uni.createFrom().item(() -> new Preparation(UserDataScript.wrap(run.script(), run.runId()), null, List.of()));
    }

    @Override
    public boolean canResume(RunContext run) {
        return true;
    }

    @Override
    public Uni<ScriptResult> run(RunContext run, Instance instance, Instant deadline) {
        return poll(run, instance.instanceId(), deadline);
    }

    private Uni<ScriptResult> poll(RunContext run, String instanceId, Instant deadline) {
        return console.latest(run.region(), instanceId).chain(text -> {
            ScriptRun parsed = ConsoleMarkers.parse(text, run.runId());
            if (parsed.finished()) {
                return Uni.createFrom().item(new ScriptResult(parsed.exitCode().getAsInt(), parsed.output(), text));
            }
            Instant now = Instant.now();
            if (!now.isBefore(deadline)) {
                return Uni.createFrom().failure(VerdictRules.scriptTimeout(config.timeouts().script(),
                        parsed.started(), parsed.output(), text));
            }
            Duration wait = min(config.timeouts().pollInterval(), Duration.between(now, deadline));
            return Uni.createFrom().voidItem().onItem().delayIt().by(wait)
                    .chain(() -> poll(run, instanceId, deadline));
        });
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
