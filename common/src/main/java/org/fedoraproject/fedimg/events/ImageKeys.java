package org.fedoraproject.fedimg.events;

/** Deterministic keys; never random and never counted, so a replay lands on the same resources. */
public final class ImageKeys {

    private ImageKeys() {
    }

    public static String of(String composeId, String fileName) {
        return composeId + "/" + fileName;
    }

    /** Kafka key of a per-region result: partitioned by image, compacted by image, variant and region. */
    public static String regionKey(String imageKey, String variantSlug, String region) {
        return imageKey + "#" + variantSlug + "@" + region;
    }

    /** The part of a Kafka key that chooses the partition; see {@code ImageKeyPartitioner}. */
    public static String partitionPart(String kafkaKey) {
        int hash = kafkaKey.indexOf('#');
        return hash < 0 ? kafkaKey : kafkaKey.substring(0, hash);
    }
}
