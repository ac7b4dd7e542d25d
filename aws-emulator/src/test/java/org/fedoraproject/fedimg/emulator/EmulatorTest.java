package org.fedoraproject.fedimg.emulator;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import org.fedoraproject.fedimg.emulator.junit.AwsEmulatorExtension;

import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

import software.amazon.awssdk.services.ec2.Ec2AsyncClient;

/** Tests through the real SDK against one emulator per class (zero delays, reset after each test). */
@ExtendWith(AwsEmulatorExtension.class)
abstract class EmulatorTest {

    static final String US_EAST_1 = "us-east-1";
    static final String EU_WEST_1 = "eu-west-1";

    static AwsEmulator aws;
    static Sdk sdk;

    @BeforeAll
    static void clients() {
        sdk = new Sdk(aws.endpoint());
    }

    @AfterAll
    static void closeClients() {
        sdk.close();
    }

    static Ec2AsyncClient ec2() {
        return sdk.ec2(US_EAST_1);
    }

    static Ec2AsyncClient ec2(String region) {
        return sdk.ec2(region);
    }

    /** An available AMI in the region, backed by an EBS direct snapshot with two data blocks. */
    static String registeredImage(String region, String name) {
        String snap = sdk.uploadSnapshot(region, 1, Map.of(0, Sdk.block(0), 3, Sdk.block(3)), Map.of());
        return ec2(region).registerImage(Sdk.fedoraRegistration(name, snap)).join().imageId();
    }

    static AbstractThrowableAssert<?, ? extends Throwable> assertAwsError(ThrowingCallable call, String code) {
        return assertThatThrownBy(call).satisfies(t -> org.assertj.core.api.Assertions.assertThat(Sdk.errorCode(t))
                .as("AWS error code of %s", t).isEqualTo(code));
    }
}
