package org.fedoraproject.fedimg.cli.janitor;

/** The kinds of resource the janitor sweeps, in the order they are deleted. */
public enum ResourceType {
    /** First: terminating an instance frees its volumes, key pair and security groups. */
    INSTANCE("instance"),
    VOLUME("volume"),
    /** Deregistered before its snapshots, which AWS refuses to delete while an AMI uses them. */
    AMI("ami"),
    SNAPSHOT("snapshot"),
    /**
     * An instance-store AMI's bundle (issue 22): the objects of one image's folder {@code fedimg/<name>/} in a
     * fedimg-tagged bundle bucket, id {@code s3://bucket/fedimg/<name>/}; deleted after the AMIs that use it.
     */
    BUNDLE("bundle"),
    KEY_PAIR("key-pair"),
    /** Last: a group cannot be deleted while an instance's network interface still uses it. */
    SECURITY_GROUP("security-group");

    private final String label;

    ResourceType(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
