package org.fedoraproject.fedimg.emulator;

import org.fedoraproject.fedimg.emulator.junit.MotoServer;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;

/**
 * The same scenarios against moto (started here on a free port), for every call moto implements: keeps the
 * emulator honest about what the SDK really sends and accepts. Skipped, with the reason, where moto is absent.
 */
class MotoConformanceTest extends ConformanceScenarios {

    private static MotoServer moto;
    private static Sdk sdk;

    @BeforeAll
    static void start() throws Exception {
        String missing = MotoServer.unavailableReason();
        Assumptions.assumeTrue(missing == null, () -> "moto conformance skipped: " + missing);
        moto = MotoServer.start();
        sdk = new Sdk(moto.endpoint(), 1, false);
    }

    @AfterAll
    static void stop() {
        if (sdk != null) {
            sdk.close();
        }
        if (moto != null) {
            moto.close();
        }
    }

    @Override
    public Sdk sdk() {
        return sdk;
    }

    @Override
    public boolean faithful() {
        return false;
    }

    @Override
    void resetTarget() {
        moto.reset();
    }
}
