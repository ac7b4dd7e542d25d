package org.fedoraproject.fedimg.tester;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.fedoraproject.fedimg.aws.AwsTags;
import org.fedoraproject.fedimg.emulator.Views;
import org.fedoraproject.fedimg.events.AmiRef;
import org.fedoraproject.fedimg.events.AmiRegistered;
import org.fedoraproject.fedimg.events.AmiTested;
import org.fedoraproject.fedimg.events.AmiVariant;
import org.fedoraproject.fedimg.events.ImageKeys;
import org.fedoraproject.fedimg.events.ImageSpec;
import org.fedoraproject.fedimg.events.TestVerdict;
import org.fedoraproject.fedimg.testing.bundles.InstanceStoreAmis;
import org.fedoraproject.fedimg.testing.bundles.TestSigner;
import org.fedoraproject.fedimg.tester.support.Scripts;
import org.fedoraproject.fedimg.tester.support.TestAmis;
import org.fedoraproject.fedimg.tester.support.TesterQuarkusTest;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.quarkus.test.junit.QuarkusTest;

/**
 * Instance-store AMIs (issue 22) are tested as EBS ones, on a type EC2 launches them on: a Xen type with an
 * instance store (m3.medium by default, for HVM and paravirtual alike). The emulator refuses them on the
 * default t3.small, as EC2 does, so a pass shows the choice.
 */
@QuarkusTest
class InstanceStoreAmiTest extends TesterQuarkusTest {

    @ParameterizedTest
    @ValueSource(strings = {"hvm", "paravirtual"})
    void anInstanceStoreAmiBootsOnAXenTypeWithAnInstanceStoreAndPasses(String virtualization) {
        Scripts.use("#!/bin/bash\necho instance-store ok\nexit 0\n");
        AmiRegistered event = registerInstanceStore(TestAmis.image("x86_64"), virtualization);

        AmiTested tested = verdictOf(event);

        assertThat(tested.verdict()).as(tested.toString()).isEqualTo(TestVerdict.PASSED);
        assertThat(tested.outputExcerpt()).contains("instance-store ok");
        assertThat(tested.testedAmiId()).isEqualTo(event.ami().amiId());
        Views.Instance instance = testInstanceOf(event);
        assertThat(instance.instanceType()).isEqualTo("m3.medium");
        assertThat(instance.rootDeviceType()).isEqualTo("instance-store");
        assertThat(amis.amiTags(event.ami().amiId())).containsEntry("fedimg:test", "passed");
        awaitNoTestResources();
    }

    private AmiRegistered registerInstanceStore(ImageSpec image, String virtualization) {
        TestSigner signer = TestSigner.issue("fedimg-tester-test");
        emulator.registerSigningCertificate(signer.certificate());
        String compose = TestAmis.composeOf(image);
        String imageKey = ImageKeys.of(compose, image.fileName());
        AmiVariant variant = AmiVariant.instanceStore(virtualization);
        String name = image.name() + "-" + variant.slug();
        Map<String, String> tags = AwsTags.forAmi(imageKey, compose, image, variant, "image");
        byte[] raw = new byte[256 * 1024];
        new java.util.Random(22).nextBytes(raw);
        String amiId = new InstanceStoreAmis(emulator.endpoint(), emulator.accountId(),
                emulator.inspect().ec2Certificate(), signer).register(TestAmis.REGION,
                        "fedimg-tester-bundles-" + emulator.accountId(), name, virtualization,
                        "paravirtual".equals(virtualization) ? "aki-919dcaf8" : null, raw, tags);
        AmiRef ref = new AmiRef(TestAmis.REGION, amiId, name, null, "x86_64", variant, null, List.of(), true);
        return new AmiRegistered(UUID.randomUUID().toString(), imageKey, compose, UUID.randomUUID().toString(),
                Instant.now(), image, ref);
    }
}
