package org.fedoraproject.fedimg.replicator;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.fedoraproject.fedimg.events.AmiTested;
import org.fedoraproject.fedimg.events.DeadLetter;
import org.fedoraproject.fedimg.events.TestVerdict;
import org.fedoraproject.fedimg.events.Topics;
import org.fedoraproject.fedimg.replicator.support.ReplicatorQuarkusTest;
import org.fedoraproject.fedimg.replicator.support.SourceAmis;
import org.fedoraproject.fedimg.testing.DeadLetterContract;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;

/**
 * Every dead letter the replicator writes, from a real input, checked as the record on the topic against
 * {@code dead-letter.v1.json}: an unreadable record, a pass the publication guard refuses as an invariant
 * violation, and a job that cannot learn its target regions.
 */
@QuarkusTest
class DeadLetterContractTest extends ReplicatorQuarkusTest {

    static final Duration WAIT = Duration.ofSeconds(90);

    @Test
    void everyReasonIsADeadLetterThatMatchesTheSchema() {
        SourceAmis sources = new SourceAmis(aws.ec2(SourceAmis.BASE));
        String garbage = "not json " + UUID.randomUUID();
        probe.sendRaw(Topics.AMIS_TESTED, "garbage", garbage.getBytes(StandardCharsets.UTF_8));
        AmiTested unverified = sources.register(compose(), "production", Samples.GP3, TestVerdict.PASSED, false);
        probe.send(unverified, "tester");
        Map<String, DeadLetter> letters = DeadLetterContract.await(probe, WAIT, Map.of(
                "MALFORMED_MESSAGE", d -> garbage.equals(d.originalPayload()),
                "INVARIANT_VIOLATION", d -> unverified.imageKey().equals(d.imageKey())));

        // the refused variant's job ends with its aggregate (after a DescribeRegions of its own); then the next
        // job's DescribeRegions is refused
        new org.fedoraproject.fedimg.replicator.support.Topics(probe).aggregate(unverified.imageKey(), WAIT);
        emulator.faults().failCall("DescribeRegions", 1, "UnauthorizedOperation");
        AmiTested blind = sources.registerPassed(compose(), "production", Samples.GP3);
        probe.send(blind, "tester");
        letters.putAll(DeadLetterContract.await(probe, WAIT, Map.of(
                "CONFIGURATION_ERROR", d -> blind.imageKey().equals(d.imageKey()))));

        for (String reason : List.of("MALFORMED_MESSAGE", "INVARIANT_VIOLATION", "CONFIGURATION_ERROR")) {
            assertThat(letters.get(reason).reasonCode()).as(reason).isEqualTo(reason);
        }
        assertThat(letters.values()).allSatisfy(d -> {
            assertThat(d.service()).isEqualTo("replicator");
            assertThat(d.source()).isEqualTo("kafka:" + Topics.AMIS_TESTED);
            assertThat(d.traceId()).isNotBlank();
        });
        assertThat(letters.get("CONFIGURATION_ERROR").reason()).contains("DescribeRegions");
        for (var entry : Map.of("INVARIANT_VIOLATION", unverified, "CONFIGURATION_ERROR", blind).entrySet()) {
            DeadLetter d = letters.get(entry.getKey());
            assertThat(d.traceId()).isEqualTo(entry.getValue().traceId());
            assertThat(d.composeId()).isEqualTo(entry.getValue().composeId());
            assertThat(d.originalPayload()).as("the input as received").contains(entry.getValue().eventId());
        }
    }

    private static String compose() {
        return "Fedora-Cloud-41-20261125." + UUID.randomUUID().toString().substring(0, 8);
    }
}
