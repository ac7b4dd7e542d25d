package org.fedoraproject.fedimg.bundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PemTest {

    @Test
    void credentialsComeFromPkcs1AndPkcs8Pem() {
        TestPki.Identity user = TestPki.USER;
        assertThat(user.pkcs1KeyPem()).contains("BEGIN RSA PRIVATE KEY");

        UserCredentials fromPkcs1 = UserCredentials.fromPem(user.certificatePem(), user.pkcs1KeyPem());
        UserCredentials fromPkcs8 = UserCredentials.fromPem(user.certificatePem(), user.pkcs8KeyPem());

        assertThat(fromPkcs1.certificate()).isEqualTo(user.cert());
        assertThat(fromPkcs1.privateKey().getEncoded()).isEqualTo(user.keys().getPrivate().getEncoded());
        assertThat(fromPkcs8.privateKey().getEncoded()).isEqualTo(user.keys().getPrivate().getEncoded());
        // one PEM file with both, key first
        assertThat(Pem.certificate(user.pkcs8KeyPem() + user.certificatePem())).isEqualTo(user.cert());
        assertThat(fromPkcs1.toString()).contains("CN=fedimg-user").doesNotContain("modulus").doesNotContain("exponent");
    }

    @Test
    void mismatchedEncryptedOrMissingMaterialIsRefused() {
        assertThatThrownBy(() -> UserCredentials.fromPem(TestPki.USER.certificatePem(), TestPki.OTHER_USER.pkcs8KeyPem()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not belong");
        assertThatThrownBy(() -> Pem.privateKey("-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n"
                + "-----END ENCRYPTED PRIVATE KEY-----\n")).hasMessageContaining("encrypted");
        assertThatThrownBy(() -> Pem.privateKey("-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n"
                + "DEK-Info: AES-128-CBC,00\n\nAAAA\n-----END RSA PRIVATE KEY-----\n")).hasMessageContaining("encrypted");
        assertThatThrownBy(() -> Pem.certificate(TestPki.USER.pkcs8KeyPem())).hasMessageContaining("no PEM CERTIFICATE");
        assertThatThrownBy(() -> Pem.privateKey(TestPki.USER.certificatePem())).hasMessageContaining("no PEM PRIVATE KEY");
    }
}
