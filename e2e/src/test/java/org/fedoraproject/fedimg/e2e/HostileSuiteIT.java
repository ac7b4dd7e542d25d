package org.fedoraproject.fedimg.e2e;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.ClassOrderer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.TestClassOrder;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The hostile suites of {@code -Preliability}: at least 200 bad inputs ({@code -Dfedimg.badinput.count},
 * default 2000, seed {@code -Dfedimg.badinput.seed}), then trigger probes, then the invariant, on one pipeline.
 */
@EnabledIfSystemProperty(named = "fedimg.reliability.full", matches = "true")
@TestClassOrder(ClassOrderer.OrderAnnotation.class)
class HostileSuiteIT {

    @Nested
    @Order(1)
    class BadInput extends BadInputScenario {
        @Override
        int count(int classes) {
            return Math.max(200, Integer.getInteger("fedimg.badinput.count", 2000));
        }
    }

    @Nested
    @Order(2)
    class Trigger extends TriggerProbes {
    }

    @Nested
    @Order(3)
    class Invariant extends InvariantScenario {
    }

    @AfterAll
    static void stopThePipeline() {
        HostilePipeline.stop();
    }
}
