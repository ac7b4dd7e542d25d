package org.fedoraproject.fedimg.tester.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Map;

import org.fedoraproject.fedimg.events.TestVerdict;
import org.fedoraproject.fedimg.tester.domain.TestOutcome;
import org.fedoraproject.fedimg.tester.domain.VerdictRules;
import org.junit.jupiter.api.Test;

import software.amazon.awssdk.services.ec2.model.Instance;

class BootOnlyTransportTest {

    private final RunContext run = new RunContext("us-east-1", "ami-1", "x86_64", 1, "ami-1-a1", "exit 1\n", Map.of(),
            Instant.now().plusSeconds(60));

    @Test
    void launchesWithoutUserDataAndSaysTheScriptDidNotRun() {
        BootOnlyTransport t = new BootOnlyTransport();
        ScriptTransport.Preparation prep = t.prepare(run).await().indefinitely();
        assertThat(prep.userData()).isNull();
        assertThat(prep.keyName()).isNull();
        ScriptTransport.ScriptResult r = t.run(run, Instance.builder().instanceId("i-1").build(), Instant.now())
                .await().indefinitely();
        TestOutcome o = VerdictRules.finished(r.exitCode(), 5, r.output(), r.console(), "ami-1", 1).withReason(r.reason());
        assertThat(o.verdict()).isEqualTo(TestVerdict.PASSED);
        assertThat(o.reason()).contains("boot-only").contains("no test script was run");
        assertThat(t.name()).isEqualTo("boot-only");
    }
}
