package org.fedoraproject.fedimg.bridge.fedmsg;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

import org.fedoraproject.fedimg.messaging.EventJson;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** fedmsg envelopes ({@code fedmsg/core.py publish}). */
public final class FedmsgEnvelopes {

    private final String username;
    private final AtomicLong counter = new AtomicLong();

    public FedmsgEnvelopes(String username) {
        this.username = username;
    }

    /** {@code {"topic","msg","timestamp","msg_id":"<YYYY>-<uuid>","i","username"}}. */
    public ObjectNode envelope(String topic, String uuid, Object body, Instant now) {
        ObjectNode env = EventJson.MAPPER.createObjectNode();
        env.put("topic", topic);
        env.set("msg", EventJson.MAPPER.valueToTree(body));
        env.put("timestamp", now.getEpochSecond());
        env.put("msg_id", now.atZone(ZoneOffset.UTC).getYear() + "-" + uuid);
        env.put("i", counter.incrementAndGet());
        env.put("username", username);
        return env;
    }

    /** datagrepper's additions removed, as fedmsg's {@code fix_datagrepper_message} does before validating. */
    public static ObjectNode fixDatagrepper(ObjectNode message) {
        ObjectNode m = message.deepCopy();
        m.remove("source_name");
        m.remove("source_version");
        JsonNode headers = m.get("headers");
        if (headers != null && headers.isObject() && headers.isEmpty()) {
            m.remove("headers");
        }
        JsonNode ts = m.get("timestamp");
        if (ts != null && ts.isNumber() && !ts.isIntegralNumber()) {
            m.put("timestamp", (long) ts.doubleValue());
        }
        return m;
    }
}
