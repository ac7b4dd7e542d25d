package org.fedoraproject.fedimg.emulator.junit;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.fedoraproject.fedimg.emulator.AwsEmulator;

/** Marks an {@link AwsEmulator} field that {@link AwsEmulatorTestResource} fills in a Quarkus test. */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.FIELD)
public @interface InjectAwsEmulator {
}
