package org.fedoraproject.fedimg.replicator.support;

import jakarta.inject.Inject;

import org.fedoraproject.fedimg.aws.support.AwsClients;
import org.fedoraproject.fedimg.emulator.AwsEmulator;
import org.fedoraproject.fedimg.emulator.Quota;
import org.fedoraproject.fedimg.emulator.junit.AwsEmulatorTestResource;
import org.fedoraproject.fedimg.emulator.junit.InjectAwsEmulator;
import org.fedoraproject.fedimg.testing.KafkaTestResource;
import org.fedoraproject.fedimg.testing.TopicProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;

/**
 * What the replicator's Quarkus tests against the real broker and the emulator share: the resources (so that they
 * run in one application), the emulator, a probe on the topics, and the clients a test needs to play the tester.
 */
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(value = AwsEmulatorTestResource.class, initArgs = @ResourceArg(name = "delays", value = "fast"))
public abstract class ReplicatorQuarkusTest {

    protected static TopicProbe probe;
    protected static Topics topics;

    @InjectAwsEmulator
    protected AwsEmulator emulator;

    @Inject
    protected AwsClients aws;

    @BeforeAll
    static void connect() {
        probe = TopicProbe.forSharedBroker();
        topics = new Topics(probe);
    }

    @AfterAll
    static void disconnect() {
        probe.close();
    }

    /**
     * A quota increase, as a publisher asks AWS for: AWS allows 5 public AMIs per region by default, and these
     * classes share one emulator (reset only when the application starts) while each test publishes its own compose
     * in every region, mostly releases, which are never demoted; without it the sixth publication in a region fails
     * on the quota. Demotion under AWS's default quota is PublicAmiQuotaTest's.
     */
    @BeforeEach
    void publicAmiQuotaIncrease() {
        emulator.quotas().set(Quota.PUBLIC_AMIS, 20);
    }

    @AfterEach
    void clearFaults() {
        emulator.faults().clear();
    }
}
