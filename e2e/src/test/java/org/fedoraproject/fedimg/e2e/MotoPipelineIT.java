package org.fedoraproject.fedimg.e2e;

import org.junit.jupiter.api.condition.DisabledIfSystemProperty;

/** The pipeline against moto in every build. */
@DisabledIfSystemProperty(named = "fedimg.reliability.full", matches = "true")
class MotoPipelineIT extends MotoPipelineScenario {
}
