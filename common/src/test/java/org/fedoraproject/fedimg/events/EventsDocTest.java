package org.fedoraproject.fedimg.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** docs/events.md documents every event type, its topic and every one of its fields. */
class EventsDocTest {

    private static final Path DOC = Path.of("..", "docs", "events.md");

    @ParameterizedTest
    @EnumSource(EventType.class)
    void documentsTypeTopicAndFields(EventType type) throws IOException {
        String doc = Files.readString(DOC);
        String header = "### `" + type.ceType() + "`";
        assertThat(doc).contains(header);
        int start = doc.indexOf(header);
        int end = doc.indexOf("\n### ", start + header.length());
        String section = doc.substring(start, end < 0 ? doc.length() : end);
        assertThat(section).as("topic of %s", type).contains("`" + type.topic() + "`");
        assertThat(section).as("schema of %s", type).contains(type.schemaResource().substring(1));
        for (var component : type.recordClass().getRecordComponents()) {
            assertThat(section).as("field %s of %s", component.getName(), type).contains("`" + component.getName() + "`");
        }
    }

    @org.junit.jupiter.api.Test
    void documentsEveryTopic() throws IOException {
        String doc = Files.readString(DOC);
        for (String topic : new String[] {Topics.IMAGES, Topics.AMIS_REGISTERED, Topics.AMIS_TESTED,
                Topics.AMIS_PUBLISHED, Topics.STATUS, Topics.DEAD_LETTER}) {
            assertThat(doc).contains("| `" + topic + "`");
        }
    }
}
