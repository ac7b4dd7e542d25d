package org.fedoraproject.fedimg.emulator;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** Marks an {@link AwsEmulator} field that {@link AwsEmulatorTestResource} fills in a Quarkus test. */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.FIELD)
public @interface InjectAwsEmulator {
}
