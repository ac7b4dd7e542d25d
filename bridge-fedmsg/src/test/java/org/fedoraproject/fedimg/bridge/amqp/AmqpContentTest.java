package org.fedoraproject.fedimg.bridge.amqp;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AmqpContentTest {

    @Test
    void whatFedoraMessagingSendsAndWhatOmitsThePropertiesIsRead() {
        assertThat(AmqpContent.refusal("application/json", "utf-8")).isEmpty();
        assertThat(AmqpContent.refusal("Application/JSON; charset=UTF-8", "UTF8")).isEmpty();
        assertThat(AmqpContent.refusal(null, null)).isEmpty();
        assertThat(AmqpContent.refusal("", " ")).isEmpty();
    }

    @Test
    void anotherMediaTypeIsRefusedNamingIt() {
        for (String type : new String[] {"text/plain", "application/octet-stream", "application/xml",
                "application/json-seq", "application/x-python-pickle"}) {
            assertThat(AmqpContent.refusal(type, "utf-8")).as(type).hasValueSatisfying(
                    why -> assertThat(why).contains("content_type '" + type + "'").contains("not application/json"));
        }
    }

    @Test
    void anotherCharsetOrAnEncodedBodyIsRefused() {
        assertThat(AmqpContent.refusal("application/json; charset=utf-16", null)).hasValueSatisfying(
                why -> assertThat(why).contains("charset other than UTF-8"));
        for (String encoding : new String[] {"gzip", "base64", "deflate", "latin-1", "utf-16"}) {
            assertThat(AmqpContent.refusal("application/json", encoding)).as(encoding).hasValueSatisfying(
                    why -> assertThat(why).contains("content_encoding '" + encoding + "'").contains("not utf-8"));
        }
    }

    @Test
    void aHostilePropertyIsCutAndLosesItsControlCharacters() {
        String type = "text/x\n\u0000" + "y".repeat(500);
        assertThat(AmqpContent.refusal(type, null)).hasValueSatisfying(why -> {
            assertThat(why).doesNotContain("\n").doesNotContain("\u0000").hasSizeLessThan(250);
        });
    }
}
