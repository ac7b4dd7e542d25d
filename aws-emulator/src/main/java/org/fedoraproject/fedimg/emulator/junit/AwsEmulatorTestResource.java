package org.fedoraproject.fedimg.emulator.junit;

import java.util.EnumMap;
import java.util.Map;

import org.fedoraproject.fedimg.emulator.AwsEmulator;
import org.fedoraproject.fedimg.emulator.Delays;
import org.fedoraproject.fedimg.emulator.Quota;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Quarkus test resource: one emulator per JVM, shared by every test class that declares it, and the
 * {@code fedimg.aws.*} configuration pointing the service at it. Init args {@code delays=zero|fast|realistic} and
 * {@code quota.<name or code>=N} (a quota increase in every region, e.g. {@code quota.public-amis=20}, for a test
 * that legitimately needs more than AWS's default).
 * Fields annotated {@link InjectAwsEmulator} receive the instance. The emulator is reset when a test resource
 * starts, so each Quarkus application starts on an empty AWS.
 */
public class AwsEmulatorTestResource implements QuarkusTestResourceLifecycleManager {

    private static AwsEmulator shared;
    private String delays = "zero";
    private final Map<Quota, Long> quotas = new EnumMap<>(Quota.class);

    @Override
    public void init(Map<String, String> initArgs) {
        delays = initArgs.getOrDefault("delays", "zero");
        initArgs.forEach((name, value) -> {
            if (name.startsWith("quota.")) {
                quotas.put(Quota.named(name.substring("quota.".length())), Long.parseLong(value));
            }
        });
    }

    @Override
    public Map<String, String> start() {
        AwsEmulator emulator = emulator();
        emulator.reset();
        emulator.delays(Delays.named(delays));
        quotas.forEach(emulator.quotas()::set);
        return Map.of(
                "fedimg.aws.endpoint-override", emulator.endpoint().toString(),
                "fedimg.aws.static-credentials.access-key-id", "test",
                "fedimg.aws.static-credentials.secret-access-key", "test",
                "fedimg.aws.base-region", "us-east-1");
    }

    @Override
    public void inject(TestInjector testInjector) {
        testInjector.injectIntoFields(emulator(),
                new TestInjector.AnnotatedAndMatchesType(InjectAwsEmulator.class, AwsEmulator.class));
    }

    @Override
    public void stop() {
        // Shared for the whole JVM: closed by the shutdown hook.
    }

    /** The JVM-wide emulator, started on first use. */
    public static synchronized AwsEmulator emulator() {
        if (shared == null) {
            shared = AwsEmulator.builder().build().start();
            AwsEmulator toClose = shared;
            Runtime.getRuntime().addShutdownHook(new Thread(toClose::close, "aws-emulator-shutdown"));
        }
        return shared;
    }
}
