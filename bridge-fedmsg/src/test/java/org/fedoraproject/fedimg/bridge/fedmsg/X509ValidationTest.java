package org.fedoraproject.fedimg.bridge.fedmsg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.fedoraproject.fedimg.bridge.support.SharedData;
import org.fedoraproject.fedimg.bridge.support.TestPki;
import org.fedoraproject.fedimg.errors.BadInputException;
import org.fedoraproject.fedimg.events.DeadLetterReason;
import org.fedoraproject.fedimg.messaging.EventJson;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

class X509ValidationTest {

    private static final Clock NOW = Clock.systemUTC();

    @Test
    void all25SignedProdMessagesValidateAgainstTheFedmsgTestCa() throws Exception {
        Path fixtures = SharedData.fixtures();
        List<ObjectNode> messages = datagrepperMessages(fixtures);
        assertThat(messages).hasSize(25);
        X509Validator validator = new X509Validator(
                Pem.certificates(fixtures.resolve("fedmsg/fedmsg-test-ca.crt")), Optional.empty(), Map.of(), false,
                false, NOW);
        List<String> signers = new ArrayList<>();
        for (ObjectNode m : messages) {
            signers.add(validator.validate(FedmsgEnvelopes.fixDatagrepper(m)));
        }
        assertThat(signers).contains("copr-copr-be.cloud.fedoraproject.org").doesNotContainNull();
    }

    @Test
    void aTamperedSignedMessageIsRejected() throws Exception {
        Path fixtures = SharedData.fixtures();
        ObjectNode m = FedmsgEnvelopes.fixDatagrepper(datagrepperMessages(fixtures).get(0));
        X509Validator validator = new X509Validator(
                Pem.certificates(fixtures.resolve("fedmsg/fedmsg-test-ca.crt")), Optional.empty(), Map.of(), false,
                false, NOW);
        ObjectNode tampered = m.deepCopy();
        ((ObjectNode) tampered.get("msg")).put("owner", "mallory");
        assertRejected(validator, tampered, "signature does not match");
        ObjectNode retimed = m.deepCopy();
        retimed.put("timestamp", m.get("timestamp").asLong() + 1);
        assertRejected(validator, retimed, "signature does not match");
        // without the datagrepper fix the float timestamp changes the canonical bytes: not the signed message
        assertRejected(validator, datagrepperMessages(fixtures).get(0), "signature does not match");
    }

    @Test
    void fixturesFailWhenCertificateDatesAreChecked() throws Exception {
        Path fixtures = SharedData.fixtures();
        X509Validator strict = new X509Validator(
                Pem.certificates(fixtures.resolve("fedmsg/fedmsg-test-ca.crt")), Optional.empty(), Map.of(), false,
                true, NOW);
        // the 2017 service certificates expired in 2024
        assertRejected(strict, FedmsgEnvelopes.fixDatagrepper(datagrepperMessages(fixtures).get(0)), "validity");
    }

    @Test
    void signedHereValidatesAndEnforcesCrlAndRoutingPolicy(@TempDir Path dir) {
        TestPki pki = new TestPki("fedmsg-test");
        TestPki.Issued good = pki.issue("fedimg.fedoraproject.org");
        TestPki.Issued revoked = pki.issue("revoked.fedoraproject.org");
        TestPki.Issued intruder = pki.issue("intruder.fedoraproject.org");
        TestPki stranger = new TestPki("other-ca");
        TestPki.Issued foreign = stranger.issue("fedimg.fedoraproject.org");
        Path crlFile = TestPki.writePem(dir.resolve("crl.pem"), pki.crl(revoked.cert()));
        String topic = "org.fedoraproject.prod.pungi.compose.status.change";
        X509Validator validator = new X509Validator(List.of(pki.ca), Optional.of(Pem.crl(crlFile)),
                Map.of(topic, List.of("fedimg.fedoraproject.org", "revoked.fedoraproject.org")), false, true, NOW);

        ObjectNode signed = sign(good, topic, "caf\u00e9 \ud83d\ude00", 1.5);
        assertThat(validator.validate(signed)).isEqualTo("fedimg.fedoraproject.org");
        assertThat(signed.get("crypto").asText()).isEqualTo("x509");
        assertThat(signed.get("signature").asText()).endsWith("\n");

        assertRejected(validator, sign(revoked, topic, "x", 1.0), "revoked");
        assertRejected(validator, sign(intruder, topic, "x", 1.0), "routing policy");
        assertRejected(validator, sign(foreign, topic, "x", 1.0), "not issued by a trusted CA");
        ObjectNode unsigned = signed.deepCopy();
        unsigned.remove(List.of("signature", "certificate", "crypto"));
        assertRejected(validator, unsigned, "not signed");
        ObjectNode gpg = signed.deepCopy();
        gpg.put("crypto", "gpg");
        assertRejected(validator, gpg, "not accepted");
        ObjectNode changedCrypto = signed.deepCopy();
        ((ObjectNode) changedCrypto.get("msg")).put("status", "DOOMED");
        assertRejected(validator, changedCrypto, "signature does not match");

        X509Validator nitpicky = new X509Validator(List.of(pki.ca), Optional.empty(), Map.of(), true, true, NOW);
        assertRejected(nitpicky, sign(good, topic, "x", 1.0), "routing_nitpicky");

        TestPki.Issued expired = pki.issue("fedimg.fedoraproject.org", Instant.now().minus(Duration.ofDays(10)),
                Instant.now().minus(Duration.ofDays(1)));
        assertRejected(validator, sign(expired, topic, "x", 1.0), "validity");
    }

    private static ObjectNode sign(TestPki.Issued who, String topic, String text, double number) {
        ObjectNode env = new FedmsgEnvelopes("fedimg").envelope(topic, "8c8c2c46-e5f8-4fe3-8f8b-80dd18b21947",
                Map.of("status", "FINISHED", "compose_id", "Fedora-41-20241027.0", "note", text, "n", number),
                Instant.now());
        return new X509Signer(who.keys().getPrivate(), who.cert()).sign(env);
    }

    static List<ObjectNode> datagrepperMessages(Path fixtures) throws Exception {
        JsonNode root = EventJson.MAPPER.readTree(Files.readAllBytes(
                fixtures.resolve("fedmsg/datagrepper-signed-prod-messages-2017-09-05.json")));
        List<ObjectNode> out = new ArrayList<>();
        root.get("raw_messages").forEach(n -> out.add((ObjectNode) n));
        return out;
    }

    private static void assertRejected(X509Validator v, ObjectNode m, String why) {
        assertThatThrownBy(() -> v.validate(m)).isInstanceOf(BadInputException.class)
                .hasMessageContaining(why)
                .satisfies(e -> assertThat(((BadInputException) e).reason()).isEqualTo(DeadLetterReason.BAD_SIGNATURE));
    }
}
