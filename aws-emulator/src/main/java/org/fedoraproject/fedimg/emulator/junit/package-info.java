/**
 * Test helpers, for tests only: {@link org.fedoraproject.fedimg.emulator.junit.AwsEmulatorExtension} (JUnit 5),
 * {@link org.fedoraproject.fedimg.emulator.junit.AwsEmulatorTestResource} and
 * {@link org.fedoraproject.fedimg.emulator.junit.InjectAwsEmulator} (Quarkus tests), and
 * {@link org.fedoraproject.fedimg.emulator.junit.MotoServer} (moto as an independent AWS to check against).
 * JUnit and Quarkus are {@code provided} dependencies of this module: a test brings its own, and nothing here
 * reaches a runtime classpath such as the cli's {@code target/lib}.
 */
package org.fedoraproject.fedimg.emulator.junit;
