package org.fedoraproject.fedimg.emulator.junit;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;

import org.fedoraproject.fedimg.emulator.AwsEmulator;
import org.fedoraproject.fedimg.emulator.Delays;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestInstancePostProcessor;

/**
 * JUnit 5: one emulator per test class (zero delays), reset after every test (state, faults, call counts,
 * delays back to zero). Inject it as a test or lifecycle method parameter of type {@link AwsEmulator}, or
 * as a field of that type (static or not).
 */
public class AwsEmulatorExtension implements BeforeAllCallback, AfterEachCallback, ParameterResolver,
        TestInstancePostProcessor {

    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(AwsEmulatorExtension.class);

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        AwsEmulator emulator = emulator(context);
        for (Class<?> c = context.getRequiredTestClass(); c != null && c != Object.class; c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                if (Modifier.isStatic(f.getModifiers()) && f.getType() == AwsEmulator.class) {
                    f.setAccessible(true);
                    f.set(null, emulator);
                }
            }
        }
    }

    @Override
    public void postProcessTestInstance(Object testInstance, ExtensionContext context) throws Exception {
        AwsEmulator emulator = emulator(context);
        for (Class<?> c = testInstance.getClass(); c != Object.class; c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                if (!Modifier.isStatic(f.getModifiers()) && f.getType() == AwsEmulator.class) {
                    f.setAccessible(true);
                    f.set(testInstance, emulator);
                }
            }
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        AwsEmulator emulator = emulator(context);
        emulator.reset();
        emulator.delays(Delays.zero());
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == AwsEmulator.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context)
            throws ParameterResolutionException {
        return emulator(context);
    }

    private static AwsEmulator emulator(ExtensionContext context) {
        ExtensionContext classContext = context;
        while (classContext.getTestMethod().isPresent() || classContext.getParent().isPresent()
                && classContext.getParent().get().getTestClass().isPresent()
                && classContext.getTestClass().equals(classContext.getParent().get().getTestClass())) {
            classContext = classContext.getParent().get();
        }
        return classContext.getStore(NS).getOrComputeIfAbsent("emulator",
                k -> new Holder(AwsEmulator.builder().delays(Delays.zero()).build().start()), Holder.class).emulator;
    }

    /** Closed by JUnit when the class's store goes away. */
    private record Holder(AwsEmulator emulator) implements ExtensionContext.Store.CloseableResource {
        @Override
        public void close() {
            emulator.close();
        }
    }
}
