package org.fedoraproject.fedimg.tester;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

import org.fedoraproject.fedimg.events.AmiRef;
import org.fedoraproject.fedimg.events.AmiRegistered;
import org.fedoraproject.fedimg.events.DeadLetter;
import org.fedoraproject.fedimg.tester.support.TesterQuarkusTest;
import org.fedoraproject.fedimg.testing.DeadLetterContract;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;

/**
 * Every dead letter the tester writes, from a real input, checked as the record on the topic against
 * {@code dead-letter.v1.json}: an unreadable record, an incomplete event, an AMI whose checksum was not
 * verified, an architecture without a test instance type, and an AMI EC2 does not know.
 */
@QuarkusTest
class DeadLetterContractTest extends TesterQuarkusTest {

    @Test
    void everyReasonIsADeadLetterThatMatchesTheSchema() {
        String garbage = "{not json " + System.nanoTime();
        topics.sendRaw("garbage", garbage.getBytes(StandardCharsets.UTF_8));
        AmiRegistered incomplete = withAmi(registerAmi(), a -> new AmiRef(a.region(), "not-an-ami", a.amiName(),
                a.snapshotId(), a.ec2Architecture(), a.variant(), null, List.of(), true));
        AmiRegistered unverified = withAmi(registerAmi(), a -> new AmiRef(a.region(), a.amiId(), a.amiName(),
                a.snapshotId(), a.ec2Architecture(), a.variant(), null, List.of(), false));
        AmiRegistered noInstanceType = withAmi(registerAmi(), a -> new AmiRef(a.region(), a.amiId(), a.amiName(),
                a.snapshotId(), "riscv64", a.variant(), null, List.of(), true));
        AmiRegistered unknown = withAmi(registerAmi(), a -> new AmiRef(a.region(), "ami-00000000000dead00",
                a.amiName(), a.snapshotId(), a.ec2Architecture(), a.variant(), null, List.of(), true));
        for (AmiRegistered e : List.of(incomplete, unverified, noInstanceType, unknown)) {
            topics.send(e);
        }

        Map<String, DeadLetter> letters = DeadLetterContract.await(probe, topics.deadLetter, WAIT, Map.of(
                "MALFORMED_MESSAGE", d -> garbage.equals(d.originalPayload()),
                "incomplete", d -> incomplete.imageKey().equals(d.imageKey()),
                "INVARIANT_VIOLATION", d -> unverified.imageKey().equals(d.imageKey()),
                "CONFIGURATION_ERROR", d -> noInstanceType.imageKey().equals(d.imageKey()),
                "IMAGE_NOT_FOUND", d -> unknown.imageKey().equals(d.imageKey())));

        assertThat(letters.get("incomplete").reasonCode()).isEqualTo("MALFORMED_MESSAGE");
        for (String reason : List.of("MALFORMED_MESSAGE", "INVARIANT_VIOLATION", "CONFIGURATION_ERROR", "IMAGE_NOT_FOUND")) {
            assertThat(letters.get(reason).reasonCode()).isEqualTo(reason);
        }
        assertThat(letters.values()).allSatisfy(d -> {
            assertThat(d.service()).isEqualTo("tester");
            assertThat(d.source()).isEqualTo("kafka:" + topics.registered);
        });
        for (AmiRegistered e : List.of(incomplete, unverified, noInstanceType, unknown)) {
            DeadLetter d = letters.values().stream().filter(l -> e.imageKey().equals(l.imageKey())).findFirst().orElseThrow();
            assertThat(d.traceId()).isEqualTo(e.traceId());
            assertThat(d.composeId()).isEqualTo(e.composeId());
            assertThat(d.originalPayload()).contains(e.eventId());
        }
        assertThat(letters.get("MALFORMED_MESSAGE").traceId()).isNotBlank();
    }

    private static AmiRegistered withAmi(AmiRegistered e, UnaryOperator<AmiRef> change) {
        return new AmiRegistered(e.eventId(), e.imageKey(), e.composeId(), e.traceId(), e.time(), e.image(),
                change.apply(e.ami()));
    }
}
