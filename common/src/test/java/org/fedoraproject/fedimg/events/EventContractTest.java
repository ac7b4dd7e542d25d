package org.fedoraproject.fedimg.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;

import org.fedoraproject.fedimg.messaging.EventJson;
import org.fedoraproject.fedimg.messaging.MalformedEventException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.EnumSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;

class EventContractTest {

    static java.util.List<FedimgEvent> examples() {
        return ExampleEvents.all();
    }

    @ParameterizedTest
    @MethodSource("examples")
    void roundTripsThroughJson(FedimgEvent event) {
        byte[] json = EventJson.write(event);
        assertThat(EventJson.read(json, event.getClass())).isEqualTo(event);
    }

    @ParameterizedTest
    @MethodSource("examples")
    void exampleValidatesAgainstItsSchema(FedimgEvent event) throws IOException {
        JsonNode json = EventJson.MAPPER.readTree(EventJson.write(event));
        Set<ValidationMessage> errors = schema(event.eventType()).validate(json);
        assertThat(errors).as("schema errors for %s", event.eventType()).isEmpty();
    }

    @ParameterizedTest
    @MethodSource("examples")
    void schemaRejectsAnEventMissingItsId(FedimgEvent event) throws IOException {
        ObjectNode json = (ObjectNode) EventJson.MAPPER.readTree(EventJson.write(event));
        json.remove("eventId");
        assertThat(schema(event.eventType()).validate(json)).isNotEmpty();
    }

    @ParameterizedTest
    @MethodSource("examples")
    void unknownFieldsAreTolerated(FedimgEvent event) throws IOException {
        ObjectNode json = (ObjectNode) EventJson.MAPPER.readTree(EventJson.write(event));
        json.put("addedInAFutureMinorVersion", "whatever");
        json.putObject("nestedNewThing").put("x", 1);
        if (json.get("image") instanceof ObjectNode image) {
            image.put("newImageField", true);
        }
        FedimgEvent read = EventJson.read(EventJson.MAPPER.writeValueAsBytes(json), event.getClass());
        assertThat(read).isEqualTo(event);
        assertThat(schema(event.eventType()).validate(json)).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(EventType.class)
    void everyTypeHasAnExample(EventType type) {
        assertThat(examples()).extracting(FedimgEvent::eventType).contains(type);
        assertThat(type.ceType()).matches("org\\.fedoraproject\\.fedimg\\.[a-z.-]+\\.v\\d+");
    }

    @ParameterizedTest
    @EnumSource(EventType.class)
    void schemaPropertiesMatchTheRecord(EventType type) throws IOException {
        JsonNode schema = readSchema(type);
        assertMatches(type.recordClass(), schema, schema);
    }

    @org.junit.jupiter.api.Test
    void malformedInputIsReportedWithAReason() {
        assertThatThrownBy(() -> EventJson.read("{not json", ImageReady.class))
                .isInstanceOf(MalformedEventException.class).hasMessageContaining("ImageReady");
        assertThatThrownBy(() -> EventJson.read("null", ImageReady.class)).isInstanceOf(MalformedEventException.class);
        assertThatThrownBy(() -> EventJson.read((byte[]) null, ImageReady.class))
                .isInstanceOf(MalformedEventException.class);
    }

    /** Record components and schema properties are the same set, recursively through nested records. */
    private static void assertMatches(Class<?> record, JsonNode schemaNode, JsonNode root) {
        JsonNode resolved = resolve(schemaNode, root);
        Set<String> components = Arrays.stream(record.getRecordComponents()).map(c -> c.getName())
                .collect(Collectors.toSet());
        Set<String> properties = fieldNames(resolved.get("properties"));
        assertThat(properties).as("schema properties of %s", record.getSimpleName()).isEqualTo(components);
        for (var component : record.getRecordComponents()) {
            Class<?> type = component.getType();
            JsonNode property = resolved.get("properties").get(component.getName());
            if (type.isRecord()) {
                assertMatches(type, property, root);
            } else if (java.util.List.class.isAssignableFrom(type)
                    && component.getGenericType() instanceof java.lang.reflect.ParameterizedType p
                    && p.getActualTypeArguments()[0] instanceof Class<?> item && item.isRecord()) {
                assertMatches(item, property.get("items"), root);
            } else if (type.isEnum()) {
                Set<String> constants = Arrays.stream(type.getEnumConstants()).map(Object::toString)
                        .collect(Collectors.toSet());
                assertThat(fieldValues(resolve(property, root).get("enum"))).as("enum %s", component.getName())
                        .isEqualTo(constants);
            }
        }
    }

    private static JsonNode resolve(JsonNode node, JsonNode root) {
        if (node.has("$ref")) {
            return root.at(node.get("$ref").asText().substring(1));
        }
        if (node.has("oneOf")) {
            for (JsonNode option : node.get("oneOf")) {
                JsonNode r = resolve(option, root);
                if (r.has("properties")) {
                    return r;
                }
            }
        }
        return node;
    }

    private static Set<String> fieldNames(JsonNode node) {
        Set<String> names = new java.util.TreeSet<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static Set<String> fieldValues(JsonNode array) {
        Set<String> values = new java.util.TreeSet<>();
        array.forEach(v -> values.add(v.asText()));
        return values;
    }

    static JsonNode readSchema(EventType type) throws IOException {
        try (InputStream in = EventContractTest.class.getResourceAsStream(type.schemaResource())) {
            assertThat(in).as("schema %s", type.schemaResource()).isNotNull();
            return EventJson.MAPPER.readTree(in);
        }
    }

    private static JsonSchema schema(EventType type) throws IOException {
        return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(readSchema(type));
    }
}
