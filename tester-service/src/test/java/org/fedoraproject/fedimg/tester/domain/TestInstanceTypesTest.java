package org.fedoraproject.fedimg.tester.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;

class TestInstanceTypesTest {

    private final TestInstanceTypes types = new TestInstanceTypes(Map.of("x86_64", "t3.small", "arm64", "t4g.small"),
            "m3.medium", "c3.large");

    @Test
    void hvmEbsAmisBootOnTheirArchitecturesType() {
        assertThat(types.choose("x86_64", "hvm", false)).contains("t3.small");
        assertThat(types.choose("arm64", "hvm", false)).contains("t4g.small");
    }

    @Test
    void paravirtualAndInstanceStoreAmisBootOnXenTypes() {
        assertThat(types.choose("x86_64", "paravirtual", false)).contains("m3.medium");
        assertThat(types.choose("x86_64", "paravirtual", true)).contains("m3.medium");
        assertThat(types.choose("x86_64", "hvm", true)).contains("c3.large");
    }

    @Test
    void noXenTypeRunsArm64() {
        assertThat(types.choose("arm64", "hvm", true)).isEmpty();
        assertThat(types.choose("arm64", "paravirtual", false)).isEmpty();
        assertThat(TestInstanceTypes.keyFor("hvm", true)).contains("instance-store-instance-type");
    }

    @Test
    void anInstanceStoreAmiIsAGroupOfItsOwn() {
        AmiFacts ebs = new AmiFacts("ami-1", "x86_64", "hvm", "gp3", false, Map.of());
        AmiFacts bundle = new AmiFacts("ami-2", "x86_64", "hvm", AmiFacts.INSTANCE_STORE, false, Map.of());
        assertThat(bundle.instanceStore()).isTrue();
        assertThat(bundle.groupKey()).isNotEqualTo(ebs.groupKey()).endsWith("/instance-store");
    }
}
