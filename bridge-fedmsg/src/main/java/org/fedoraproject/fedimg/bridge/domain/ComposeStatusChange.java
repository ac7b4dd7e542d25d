package org.fedoraproject.fedimg.bridge.domain;

/**
 * A {@code pungi.compose.status.change} message, whatever shape it arrived in.
 *
 * @param messageId      the bus message id (AMQP message_id or fedmsg msg_id); never null, see {@link ComposeMessageParser}
 * @param location       the compose's {@code compose} directory URL as sent; null in some old messages
 * @param releaseVersion e.g. {@code 41} or {@code Rawhide}; from the message or the compose id
 * @param composeType    production, nightly or test; null if the message does not say
 */
public record ComposeStatusChange(
        String messageId,
        String topic,
        String composeId,
        String status,
        String location,
        String releaseVersion,
        String composeType) {
}
