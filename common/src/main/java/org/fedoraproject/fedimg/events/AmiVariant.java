package org.fedoraproject.fedimg.events;

/** One cell of the AMI matrix registered from a snapshot. */
public record AmiVariant(String virtualizationType, String volumeType, boolean encrypted) {

    /** A short, stable name used in AMI names, tags and Kafka keys, e.g. {@code hvm-gp3-encrypted}. */
    public String slug() {
        return virtualizationType + "-" + volumeType + (encrypted ? "-encrypted" : "");
    }
}
