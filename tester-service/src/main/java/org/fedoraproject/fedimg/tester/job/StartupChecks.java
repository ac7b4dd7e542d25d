package org.fedoraproject.fedimg.tester.job;

import java.nio.file.Files;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.fedoraproject.fedimg.tester.config.TesterConfig;

import io.quarkus.runtime.StartupEvent;

/** A tester without a readable script would fail every test for a reason that is not the image's: refuse to start. */
@ApplicationScoped
public class StartupChecks {

    void check(@Observes StartupEvent ev, TesterConfig config) {
        if (!Files.isReadable(config.scriptPath())) {
            throw new IllegalStateException("fedimg.tester.script-path " + config.scriptPath() + " is not readable");
        }
        if (config.timeouts().running().plus(config.timeouts().statusOk()).plus(config.timeouts().script())
                .compareTo(config.timeouts().job()) > 0) {
            throw new IllegalStateException("fedimg.tester.timeouts.job must cover running + status-ok + script");
        }
    }
}
