package org.fedoraproject.fedimg.bridge.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

import org.fedoraproject.fedimg.bridge.support.SampleComposes;
import org.fedoraproject.fedimg.bridge.support.SharedData;
import org.fedoraproject.fedimg.errors.BadInputException;
import org.fedoraproject.fedimg.events.DeadLetterReason;
import org.fedoraproject.fedimg.messaging.EventJson;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class ComposeMessageParserTest {

    static final ComposeMessageParser PARSER = new ComposeMessageParser(
            Set.of("STARTED", "FINISHED", "FINISHED_INCOMPLETE", "DOOMED", "TERMINATED"));

    static ComposeStatusChange parse(String json, String id) throws Exception {
        return PARSER.parse(EventJson.MAPPER.readTree(json), id, null, json.getBytes(StandardCharsets.UTF_8));
    }

    @ParameterizedTest
    @CsvSource({
            "pungi/fedimg-tests_FINISHED_Fedora-28-20180425.0.hub.json, Fedora-28-20180425.0, FINISHED, 28, production, 2018-8c8c2c46-e5f8-4fe3-8f8b-80dd18b21947",
            "pungi/fedimg-tests_FINISHED_INCOMPLETE_Fedora-Rawhide-20180426.n.0.hub.json, Fedora-Rawhide-20180426.n.0, FINISHED_INCOMPLETE, Rawhide, nightly, 2018-31162ce8-69ec-417e-bc7f-01653f4dcedf",
            "pungi/fedimg-tests_STARTED_Fedora-28-20180321.n.0.hub.json, Fedora-28-20180321.n.0, STARTED, 28, nightly, 2018-6de5ec39-0e28-46aa-a359-99142682fdd9",
            "pungi/fedmsg_meta_TestPungiKojiComplete_FINISHED.json, Fedora-24-20151208.n.7, FINISHED, 24, , ",
            "pungi/fedmsg_meta_TestPungiKojiStart_STARTED.json, Fedora-24-20151208.n.7, STARTED, 24, , ",
            "pungi/fedmsg_meta_TestPungiKojiTerminated_TERMINATED.json, Fedora-24-20151208.n.7, TERMINATED, 24, , ",
            "pungi/dustymabe-script_DOOMED_Fedora-Modular-Bikeshed-20180215.n.0.partial.json, Fedora-Modular-Bikeshed-20180215.n.0, DOOMED, Bikeshed, nightly, " })
    void everyPungiFixtureParses(String file, String composeId, String status, String release, String type,
            String msgId) throws Exception {
        Path p = SharedData.file(file);
        byte[] raw = Files.readAllBytes(p);
        ComposeStatusChange c = PARSER.parse(EventJson.MAPPER.readTree(raw), null, null, raw);
        assertThat(c.composeId()).isEqualTo(composeId);
        assertThat(c.status()).isEqualTo(status);
        assertThat(c.releaseVersion()).isEqualTo(release);
        assertThat(c.composeType()).isEqualTo(type);
        if (msgId != null) {
            assertThat(c.messageId()).isEqualTo(msgId);
        } else {
            assertThat(c.messageId()).startsWith("sha256:");
        }
        assertThat(c.location()).startsWith("http");
    }

    @Test
    void plainAndWrappedBodiesGiveTheSameChange() throws Exception {
        String plain = SampleComposes.pungiBody("Fedora-41-20241027.0", "FINISHED", "https://example.org/c/compose");
        String wrapped = "{\"msg_id\":\"2024-abc\",\"topic\":\"org.fedoraproject.prod.pungi.compose.status.change\","
                + "\"timestamp\":1730000000,\"i\":1,\"username\":\"root\",\"msg\":" + plain + "}";
        ComposeStatusChange a = parse(plain, "uuid-1");
        ComposeStatusChange b = parse(wrapped, null);
        assertThat(a.messageId()).isEqualTo("uuid-1");
        assertThat(b.messageId()).isEqualTo("2024-abc");
        assertThat(b.topic()).isEqualTo("org.fedoraproject.prod.pungi.compose.status.change");
        assertThat(b).usingRecursiveComparison().ignoringFields("messageId", "topic").isEqualTo(a);
        // the transport's id wins over the envelope's (AMQP message_id of a bridged message is the msg_id anyway)
        assertThat(parse(wrapped, "amqp-id").messageId()).isEqualTo("amqp-id");
        // same bytes, same content-derived id
        assertThat(parse(plain, null).messageId()).isEqualTo(parse(plain, null).messageId());
    }

    @Test
    void badMessagesSayWhy() {
        assertReason("{\"compose_id\":\"x\"}", DeadLetterReason.MALFORMED_MESSAGE, "no status");
        assertReason("{\"compose_id\":\"x\",\"status\":\"EXPLODED\"}", DeadLetterReason.UNKNOWN_STATUS, "EXPLODED");
        assertReason("{\"status\":\"FINISHED\"}", DeadLetterReason.MALFORMED_MESSAGE, "compose_id");
        assertReason("[1,2]", DeadLetterReason.MALFORMED_MESSAGE, "not a JSON object");
        assertReason("{\"msg\":{\"status\":42,\"compose_id\":\"x\"}}", DeadLetterReason.UNKNOWN_STATUS, "42");
        // a copr message (status 3 = running) in its envelope is not a compose message with an odd status
        assertReason("{\"topic\":\"org.fedoraproject.prod.copr.build.start\",\"msg\":{\"status\":3,\"build\":1}}",
                DeadLetterReason.MALFORMED_MESSAGE, "'org.fedoraproject.prod.copr.build.start' is not a compose status change");
        assertReason("{\"topic\":\"org.fedoraproject.prod.copr.build.end\",\"body\":{\"status\":\"FINISHED\",\"compose_id\":\"x\"}}",
                DeadLetterReason.MALFORMED_MESSAGE, "not a compose status change");
    }

    private static void assertReason(String json, DeadLetterReason reason, String text) {
        assertThatThrownBy(() -> parse(json, "id")).isInstanceOf(BadInputException.class).hasMessageContaining(text)
                .satisfies(e -> assertThat(((BadInputException) e).reason()).isEqualTo(reason));
    }
}
