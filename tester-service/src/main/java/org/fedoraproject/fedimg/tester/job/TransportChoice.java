package org.fedoraproject.fedimg.tester.job;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import org.fedoraproject.fedimg.tester.config.TesterConfig;
import org.fedoraproject.fedimg.tester.transport.BootOnlyTransport;
import org.fedoraproject.fedimg.tester.transport.ScriptTransport;
import org.fedoraproject.fedimg.tester.transport.SshTransport;
import org.fedoraproject.fedimg.tester.transport.UserDataTransport;

/** The transport named by {@code fedimg.tester.transport}. */
@ApplicationScoped
public class TransportChoice {

    @Produces
    @Singleton
    @Selected
    ScriptTransport transport(TesterConfig config, UserDataTransport userData, SshTransport ssh) {
        return switch (config.transport()) {
            case SSH -> ssh;
            case BOOT_ONLY -> new BootOnlyTransport();
            case USER_DATA -> userData;
        };
    }

    @jakarta.inject.Qualifier
    @java.lang.annotation.Retention(java.lang.annotation.RetentionPolicy.RUNTIME)
    @java.lang.annotation.Target({ java.lang.annotation.ElementType.FIELD, java.lang.annotation.ElementType.METHOD,
            java.lang.annotation.ElementType.PARAMETER, java.lang.annotation.ElementType.TYPE })
    public @interface Selected {
    }
}
