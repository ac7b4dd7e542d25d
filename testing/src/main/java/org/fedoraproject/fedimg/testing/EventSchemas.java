package org.fedoraproject.fedimg.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.fedoraproject.fedimg.events.EventType;
import org.fedoraproject.fedimg.messaging.EventJson;

import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;

/** The event contract's JSON Schemas ({@code common/src/main/resources/schemas}), for records a service really wrote. */
public final class EventSchemas {

    private static final Map<EventType, JsonSchema> SCHEMAS = new ConcurrentHashMap<>();

    private EventSchemas() {
    }

    /** What is wrong with this record value for its type; empty when it is valid. */
    public static List<String> problems(EventType type, byte[] json) {
        try {
            return schema(type).validate(EventJson.MAPPER.readTree(json)).stream().map(ValidationMessage::getMessage)
                    .sorted().toList();
        } catch (IOException e) {
            return List.of("not JSON: " + e.getMessage());
        }
    }

    private static JsonSchema schema(EventType type) {
        return SCHEMAS.computeIfAbsent(type, t -> {
            try (InputStream in = EventSchemas.class.getResourceAsStream(t.schemaResource())) {
                if (in == null) {
                    throw new IllegalStateException("no schema " + t.schemaResource() + " on the classpath");
                }
                return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(EventJson.MAPPER.readTree(in));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }
}
