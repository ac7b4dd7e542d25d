package org.fedoraproject.fedimg.tester.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.awaitility.Awaitility;
import org.fedoraproject.fedimg.aws.AwsTags;
import org.fedoraproject.fedimg.emulator.AwsEmulator;
import org.fedoraproject.fedimg.emulator.Delays;
import org.fedoraproject.fedimg.emulator.Views;
import org.fedoraproject.fedimg.emulator.junit.AwsEmulatorTestResource;
import org.fedoraproject.fedimg.emulator.junit.InjectAwsEmulator;
import org.fedoraproject.fedimg.events.AmiRegistered;
import org.fedoraproject.fedimg.events.AmiTested;
import org.fedoraproject.fedimg.events.TestVerdict;
import org.fedoraproject.fedimg.tester.domain.TestAttempts;
import org.fedoraproject.fedimg.tester.domain.UserDataScript;
import org.fedoraproject.fedimg.testing.KafkaTestResource;
import org.fedoraproject.fedimg.testing.TopicProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

import io.quarkus.test.common.QuarkusTestResource;
import software.amazon.awssdk.services.ec2.model.ResourceType;
import software.amazon.awssdk.services.ec2.model.Tag;
import software.amazon.awssdk.services.ec2.model.TagSpecification;

/**
 * What every Quarkus test of the tester shares: the real broker, the emulator, a readable script, and the
 * clients a test needs to play the uploader (register AMIs, send their events) and to look at the result.
 * Subclasses with the same profile and resources run in one application.
 */
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(AwsEmulatorTestResource.class)
@QuarkusTestResource(TesterTestResource.class)
@QuarkusTestResource(OtlpStandIn.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class TesterQuarkusTest {

    protected static final Duration WAIT = Duration.ofSeconds(60);
    /** Regions the tests launch in; the base region unless a test says otherwise. */
    protected static final List<String> REGIONS = List.of(TestAmis.REGION, "eu-west-1");

    @InjectAwsEmulator
    protected AwsEmulator emulator;

    /** Where the OTLP exporter points: with tracing off nothing may connect to it. */
    protected OtlpStandIn collector;

    protected TopicProbe probe;
    protected Topics topics;
    protected TestAmis amis;

    @BeforeAll
    void connect() {
        probe = TopicProbe.forSharedBroker();
        topics = new Topics(probe);
        amis = new TestAmis(emulator.endpoint());
    }

    @AfterAll
    void disconnect() {
        probe.close();
        amis.close();
    }

    @AfterEach
    void emulatorBehavesAgain() {
        emulator.faults().clear();
        emulator.delays(Delays.zero());
    }

    /** What the uploader usually registers: an x86_64 gp3 AMI of a fresh image, in the base region. */
    protected AmiRegistered registerAmi() {
        return amis.register(TestAmis.image("x86_64"), "gp3");
    }

    /** Sends the event and waits for its one verdict. */
    protected AmiTested verdictOf(AmiRegistered event) {
        topics.send(event);
        return topics.awaitTested(event.imageKey(), 1, WAIT).get(0);
    }

    /** A FAILED verdict whose reason code is also recorded on the AMI. */
    protected void assertFailed(AmiTested tested, String reasonCode) {
        assertThat(tested.verdict()).as(tested.reason()).isEqualTo(TestVerdict.FAILED);
        assertThat(amis.amiTags(tested.ami().amiId())).containsEntry("fedimg:test-reason-code", reasonCode);
    }

    /** The one test instance launched for the event's AMI. */
    protected Views.Instance testInstanceOf(AmiRegistered event) {
        return testInstancesIn(event.ami().region()).stream()
                .filter(i -> event.ami().amiId().equals(i.tags().get("fedimg:test-ami")))
                .reduce((a, b) -> {
                    throw new AssertionError("more than one test instance for " + event.ami().amiId());
                }).orElseThrow();
    }

    protected List<Views.Instance> testInstancesIn(String region) {
        return emulator.inspect().instances(region).stream()
                .filter(i -> "test-instance".equals(i.tags().get("fedimg:purpose"))).toList();
    }

    /** Every test instance ends terminated, and no temporary key pair or security group is left, in any region. */
    protected void awaitNoTestResources() {
        Awaitility.await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            for (String region : REGIONS) {
                assertThat(testInstancesIn(region)).as("live test instances in %s", region)
                        .noneMatch(i -> i.state().equals("pending") || i.state().equals("running"));
                assertThat(emulator.inspect().keyPairs(region)).as("key pairs in %s", region)
                        .noneMatch(k -> "test-key".equals(k.tags().get("fedimg:purpose")));
                assertThat(emulator.inspect().securityGroups(region)).as("temporary groups in %s", region)
                        .noneMatch(g -> "test-sg".equals(g.tags().get("fedimg:purpose")));
            }
        });
    }

    /** Attempt 1's test instance as another tester launches it: its ClientToken, user-data and tags. */
    protected String launchAttemptOneAsAnotherTester(AmiRegistered event) throws IOException {
        String ami = event.ami().amiId();
        String script = UserDataScript.wrap(Files.readString(Scripts.CURRENT), TestAttempts.runId(ami, 1));
        return amis.ec2(event.ami().region()).runInstances(b -> b.imageId(ami).instanceType("t3.small").minCount(1)
                .maxCount(1).clientToken(TestAttempts.clientToken(event.ami().region(), ami, 1))
                .userData(Base64.getEncoder().encodeToString(script.getBytes(StandardCharsets.UTF_8)))
                .tagSpecifications(spec(ResourceType.INSTANCE, event, "test-instance", "1",
                        Instant.now().plus(Duration.ofHours(1)).toString(), "user-data")))
                .join().instances().get(0).instanceId();
    }

    /** Tags as the tester puts them on its resources. */
    protected static TagSpecification spec(ResourceType type, AmiRegistered event, String purpose, String attempt,
            String expires) {
        return spec(type, event, purpose, attempt, expires, null);
    }

    protected static TagSpecification spec(ResourceType type, AmiRegistered event, String purpose, String attempt,
            String expires, String transport) {
        Map<String, String> tags = new HashMap<>(AwsTags.forAmi(event.imageKey(), event.composeId(), event.image(),
                event.ami().variant(), purpose));
        if (transport != null) {
            tags.put("fedimg:test-transport", transport);
        }
        tags.put("fedimg:test-ami", event.ami().amiId());
        tags.put("fedimg:test-attempt", attempt);
        tags.put("fedimg:test-expires-at", expires);
        return TagSpecification.builder().resourceType(type).tags(tags.entrySet().stream()
                .map(e -> Tag.builder().key(e.getKey()).value(e.getValue()).build()).toList()).build();
    }
}
