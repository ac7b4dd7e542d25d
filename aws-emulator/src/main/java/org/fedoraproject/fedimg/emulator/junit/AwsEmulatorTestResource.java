package org.fedoraproject.fedimg.emulator.junit;

import java.util.EnumMap;
import java.util.Map;

import org.fedoraproject.fedimg.emulator.AwsEmulator;
import org.fedoraproject.fedimg.emulator.Delays;
import org.fedoraproject.fedimg.emulator.Quota;
import org.fedoraproject.fedimg.emulator.vm.InstanceBackend;

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

    private static final Map<InstanceBackend, AwsEmulator> SHARED = new EnumMap<>(InstanceBackend.class);
    private String delays = "zero";
    private InstanceBackend backend = InstanceBackend.BASH;
    private final Map<Quota, Long> quotas = new EnumMap<>(Quota.class);

    @Override
    public void init(Map<String, String> initArgs) {
        delays = initArgs.getOrDefault("delays", "zero");
        backend = InstanceBackend.named(initArgs.getOrDefault("backend", "bash"));
        initArgs.forEach((name, value) -> {
            if (name.startsWith("quota.")) {
                quotas.put(Quota.named(name.substring("quota.".length())), Long.parseLong(value));
            }
        });
    }

    @Override
    public Map<String, String> start() {
        AwsEmulator emulator = emulator(backend);
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
        testInjector.injectIntoFields(emulator(backend),
                new TestInjector.AnnotatedAndMatchesType(InjectAwsEmulator.class, AwsEmulator.class));
    }

    @Override
    public void stop() {
        // Shared for the whole JVM: closed by the shutdown hook.
    }

    /** The JVM-wide emulator (bash backend), started on first use. */
    public static AwsEmulator emulator() {
        return emulator(InstanceBackend.BASH);
    }

    /**
     * The JVM-wide emulator of a backend, started on first use. The qemu one runs up to 4 VMs at once, forwards
     * ssh from port 2222 of each instance's loopback address, and gives firmware 40 s to show a kernel.
     */
    public static synchronized AwsEmulator emulator(InstanceBackend backend) {
        return SHARED.computeIfAbsent(backend, b -> {
            AwsEmulator.Builder builder = AwsEmulator.builder().instanceBackend(b);
            if (b == InstanceBackend.QEMU) {
                builder.maxVms(4).vmSshPort(2222).vmKernelBound(java.time.Duration.ofSeconds(40));
            }
            AwsEmulator started = builder.build().start();
            Runtime.getRuntime().addShutdownHook(new Thread(started::close, "aws-emulator-shutdown"));
            return started;
        });
    }
}
