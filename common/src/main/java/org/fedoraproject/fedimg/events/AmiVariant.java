package org.fedoraproject.fedimg.events;

/**
 * One cell of the AMI matrix.
 *
 * @param storageType {@code ebs} (registered from the verified snapshot) or {@code instance-store} (registered
 *     from a bundle in S3, issue 22); null, as in events written before storage types existed, means {@code ebs}
 * @param volumeType the EBS volume type, or {@code instance-store} for an instance-store AMI (it has no EBS
 *     volume; consumers that only know volume types still tell it apart)
 */
public record AmiVariant(String virtualizationType, String volumeType, boolean encrypted, String storageType) {

    public static final String EBS = "ebs";
    public static final String INSTANCE_STORE = "instance-store";

    public AmiVariant {
        storageType = storageType == null ? EBS : storageType;
        if (!EBS.equals(storageType) && !INSTANCE_STORE.equals(storageType)) {
            throw new IllegalArgumentException("storage type must be ebs or instance-store: " + storageType);
        }
        if (INSTANCE_STORE.equals(storageType) && (encrypted || !INSTANCE_STORE.equals(volumeType))) {
            throw new IllegalArgumentException("an instance-store AMI has no EBS volume type and no EBS encryption");
        }
    }

    /** An EBS-backed variant. */
    public AmiVariant(String virtualizationType, String volumeType, boolean encrypted) {
        this(virtualizationType, volumeType, encrypted, EBS);
    }

    /** An instance-store (S3 bundle) variant of this virtualization type. */
    public static AmiVariant instanceStore(String virtualizationType) {
        return new AmiVariant(virtualizationType, INSTANCE_STORE, false, INSTANCE_STORE);
    }

    public boolean instanceStore() {
        return INSTANCE_STORE.equals(storageType);
    }

    /**
     * A short, stable name used in AMI names, tags and Kafka keys, e.g. {@code hvm-gp3-encrypted}, or
     * {@code hvm-instance-store} for a bundle.
     */
    public String slug() {
        return virtualizationType + "-" + volumeType + (encrypted ? "-encrypted" : "");
    }
}
