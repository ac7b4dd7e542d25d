package org.fedoraproject.fedimg.emulator;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The conformance scenarios against the emulator, with "fast" life cycles so the waits are real. */
class EmulatorConformanceTest extends ConformanceScenarios {

    private static AwsEmulator emulator;
    private static Sdk sdk;

    @BeforeAll
    static void start() {
        emulator = AwsEmulator.builder().delays(fastish()).build().start();
        sdk = new Sdk(emulator.endpoint());
    }

    /** Pending states long enough to be seen, short enough for CI. */
    static Delays fastish() {
        return Delays.builder().instancePending(java.time.Duration.ofMillis(300))
                .snapshotCompletion(java.time.Duration.ofMillis(300)).imageAvailable(java.time.Duration.ofMillis(300))
                .copyAvailable(java.time.Duration.ofMillis(500)).volumeCreation(java.time.Duration.ofMillis(200))
                .instanceShutdown(java.time.Duration.ofMillis(200)).build();
    }

    @AfterAll
    static void stop() {
        sdk.close();
        emulator.close();
    }

    @Override
    public Sdk sdk() {
        return sdk;
    }

    @Override
    public boolean faithful() {
        return true;
    }

    @Override
    void resetTarget() {
        emulator.reset();
    }
}
