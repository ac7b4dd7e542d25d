package org.fedoraproject.fedimg.bridge.job;

import java.util.Map;

/**
 * A message as a transport received it.
 *
 * @param source      amqp, fedmsg or trigger
 * @param transportId AMQP message_id or fedmsg msg_id; null if the transport gave none
 * @param topic       routing key or topic frame; null for triggers
 */
public record InboundMessage(String source, String transportId, String topic, byte[] payload,
        Map<String, String> headers) {
}
