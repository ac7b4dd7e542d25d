package org.fedoraproject.fedimg.e2e;

import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/** The same moto run in {@code -Preliability}, for its section of docs/reliability.md. */
@EnabledIfSystemProperty(named = "fedimg.reliability.full", matches = "true")
class MotoPipelineSuiteIT extends MotoPipelineScenario {
}
