package org.fedoraproject.fedimg.tester.support;

import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/** Writes a passing default script before the application starts (the tester refuses to start without one). */
public class TesterTestResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        Scripts.use("#!/bin/bash\necho default test script\nexit 0\n");
        return Map.of("fedimg.tester.script-path", Scripts.CURRENT.toAbsolutePath().toString());
    }

    @Override
    public void stop() {
    }
}
