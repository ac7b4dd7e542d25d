package org.fedoraproject.fedimg.messaging;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.fedoraproject.fedimg.events.FedimgEvent;

import io.smallrye.reactive.messaging.ce.OutgoingCloudEventMetadata;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;

/**
 * Builds outgoing Kafka messages as CloudEvents 1.0 in binary mode: the record value is the event JSON
 * and {@code ce_id}, {@code ce_source}, {@code ce_type}, {@code ce_subject} and {@code ce_time} are headers.
 * The subject is the image key; the id is the event id, so consumers can deduplicate. A W3C
 * {@code traceparent} header carries the image's trace ({@link TraceContext}); the stage span that writes
 * the event, if any, learns of it ({@link StageSpan}: a dead letter or FAILED status fails the stage).
 */
public final class CloudEvents {

    public static final String SOURCE_PREFIX = "urn:fedimg:";

    private CloudEvents() {
    }

    public static URI source(String service) {
        return URI.create(SOURCE_PREFIX + service);
    }

    public static <T extends FedimgEvent> OutgoingCloudEventMetadata<T> metadata(T event, String service) {
        return OutgoingCloudEventMetadata.<T>builder()
                .withId(event.eventId())
                .withSource(source(service))
                .withType(event.eventType().ceType())
                .withSubject(event.imageKey())
                .withTimestamp(event.time().atZone(ZoneOffset.UTC))
                .withDataContentType("application/json")
                .build();
    }

    /** The record key and trace header; the event's stage is the open stage span of its image's work. */
    public static <T extends FedimgEvent> OutgoingKafkaRecordMetadata<String> kafka(T event) {
        return kafka(event, TraceContext.stageOf(event));
    }

    /** The same, for an event written by the given stage (null: none). */
    public static <T extends FedimgEvent> OutgoingKafkaRecordMetadata<String> kafka(T event, StageSpan stage) {
        if (stage != null) {
            stage.wrote(event);
        }
        return OutgoingKafkaRecordMetadata.<String>builder()
                .withKey(event.kafkaKey())
                .addHeaders(new RecordHeader(TraceContext.HEADER,
                        TraceContext.traceparent(event, stage).getBytes(StandardCharsets.UTF_8)))
                .build();
    }

    /** A new message, for emitters; processors should use {@link #attach} to keep the ack chain. */
    public static <T extends FedimgEvent> Message<T> message(T event, String service) {
        return Message.of(event).addMetadata(metadata(event, service)).addMetadata(kafka(event));
    }

    /**
     * A new message written by the given stage, for a service that runs several stages of one image at once
     * (the replicator's variants), where the open stage of the image's work is ambiguous.
     */
    public static <T extends FedimgEvent> Message<T> message(T event, String service, StageSpan stage) {
        return Message.of(event).addMetadata(metadata(event, service)).addMetadata(kafka(event, stage));
    }

    /** Replaces the payload of an incoming message, keeping its acknowledgement. */
    public static <T extends FedimgEvent> Message<T> attach(Message<?> incoming, T event, String service) {
        return incoming.withPayload(event).addMetadata(metadata(event, service)).addMetadata(kafka(event));
    }

    /**
     * The event as a plain Kafka record with the headers the services write, for a producer outside Reactive
     * Messaging ({@code fedimg replay}, tests): key, binary-mode {@code ce_*} headers and {@code traceparent}.
     */
    public static ProducerRecord<String, byte[]> record(String topic, FedimgEvent event, String service,
            String traceparent) {
        ProducerRecord<String, byte[]> record = new ProducerRecord<>(topic, event.kafkaKey(), EventJson.write(event));
        Headers h = record.headers();
        h.add("ce_specversion", bytes("1.0"));
        h.add("ce_id", bytes(event.eventId()));
        h.add("ce_source", bytes(source(service).toString()));
        h.add("ce_type", bytes(event.eventType().ceType()));
        h.add("ce_subject", bytes(event.imageKey()));
        h.add("ce_time", bytes(event.time().toString()));
        h.add("content-type", bytes("application/json"));
        h.add(TraceContext.HEADER, bytes(traceparent));
        return record;
    }

    private static byte[] bytes(String s) {
        return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
    }
}
