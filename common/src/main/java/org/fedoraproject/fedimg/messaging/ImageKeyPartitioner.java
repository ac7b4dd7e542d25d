package org.fedoraproject.fedimg.messaging;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.apache.kafka.clients.producer.Partitioner;
import org.apache.kafka.common.Cluster;
import org.apache.kafka.common.utils.Utils;
import org.fedoraproject.fedimg.events.ImageKeys;

/**
 * Partitions by the image part of a key, so that per-region results ({@code image#variant@region})
 * and the image aggregate ({@code image}) share a partition and stay in order, while compaction still
 * keeps one record per region. The hash is Kafka's default murmur2, so a plain image key lands on the
 * same partition with or without this partitioner.
 */
public class ImageKeyPartitioner implements Partitioner {

    @Override
    public int partition(String topic, Object key, byte[] keyBytes, Object value, byte[] valueBytes, Cluster cluster) {
        int partitions = cluster.partitionsForTopic(topic).size();
        if (key == null) {
            return 0;
        }
        byte[] imagePart = ImageKeys.partitionPart(key.toString()).getBytes(StandardCharsets.UTF_8);
        return Utils.toPositive(Utils.murmur2(imagePart)) % partitions;
    }

    @Override
    public void close() {
    }

    @Override
    public void configure(Map<String, ?> configs) {
    }
}
