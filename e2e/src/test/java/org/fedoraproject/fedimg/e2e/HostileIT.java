package org.fedoraproject.fedimg.e2e;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.ClassOrderer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.TestClassOrder;
import org.junit.jupiter.api.condition.DisabledIfSystemProperty;

/**
 * The hostile suites of every build, on one pipeline: a sample of the bad input (one input of each class,
 * about 50), then trigger probes, then the invariant. The full run is {@link HostileSuiteIT}.
 */
@DisabledIfSystemProperty(named = "fedimg.reliability.full", matches = "true")
@TestClassOrder(ClassOrderer.OrderAnnotation.class)
class HostileIT {

    @Nested
    @Order(1)
    class BadInput extends BadInputScenario {
        @Override
        int count(int classes) {
            return classes;
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
