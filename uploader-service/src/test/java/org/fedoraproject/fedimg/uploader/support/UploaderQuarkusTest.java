package org.fedoraproject.fedimg.uploader.support;

import java.io.IOException;

import org.fedoraproject.fedimg.emulator.AwsEmulator;
import org.fedoraproject.fedimg.emulator.junit.AwsEmulatorTestResource;
import org.fedoraproject.fedimg.emulator.junit.InjectAwsEmulator;
import org.fedoraproject.fedimg.testing.KafkaTestResource;
import org.fedoraproject.fedimg.testing.TopicProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

import io.quarkus.test.common.QuarkusTestResource;

/**
 * What the uploader's Quarkus tests share: the real broker, the emulator, an image server, and the clients that
 * play the bridge (send image events) and read what the uploader wrote. Subclasses with the same profile run in
 * one application.
 */
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(AwsEmulatorTestResource.class)
public abstract class UploaderQuarkusTest {

    protected static final String REGION = "us-east-1";
    protected static ImageServer server;
    protected static TopicProbe probe;
    protected static Uploads uploads;

    @InjectAwsEmulator
    protected AwsEmulator aws;

    @BeforeAll
    static void start() throws IOException {
        server = new ImageServer();
        probe = TopicProbe.forSharedBroker();
        uploads = new Uploads(probe);
    }

    @AfterAll
    static void stop() {
        server.close();
        probe.close();
    }

    @AfterEach
    void clearFaults() {
        aws.faults().clear();
    }
}
