package org.fedoraproject.fedimg.emulator;

/**
 * The EC2 AMI quotas the emulator holds, per account and region, with AWS's defaults and Service Quotas codes
 * (EC2 User Guide, "AMI quotas"; the codes as the Service Quotas API lists them for service code {@code ec2}).
 */
public enum Quota {

    /** Public AMIs in a region. AWS also counts public AMIs in the Recycle Bin, which the emulator does not model. */
    PUBLIC_AMIS("public-amis", "L-0E3CBAB9", "Public AMIs", 5),
    /** Available, pending and disabled AMIs in a region (and, on AWS, AMIs in the Recycle Bin). */
    AMIS("amis", "L-B665C33B", "AMIs", 50_000),
    /** Entities (accounts, organizations, OUs) one AMI is shared with; an organization or OU counts once. */
    AMI_SHARING("ami-sharing", "L-70015FFA", "AMI sharing", 1_000);

    private final String key;
    private final String code;
    private final String quotaName;
    private final long awsDefault;

    Quota(String key, String code, String quotaName, long awsDefault) {
        this.key = key;
        this.code = code;
        this.quotaName = quotaName;
        this.awsDefault = awsDefault;
    }

    /** The emulator's short name: {@code public-amis}, {@code amis}, {@code ami-sharing}. */
    public String key() {
        return key;
    }

    /** The Service Quotas code, e.g. {@code L-0E3CBAB9}. */
    public String code() {
        return code;
    }

    /** The Service Quotas name, e.g. {@code Public AMIs}. */
    public String quotaName() {
        return quotaName;
    }

    public long awsDefault() {
        return awsDefault;
    }

    /** By short name, Service Quotas code or enum name, ignoring case. */
    public static Quota named(String name) {
        for (Quota q : values()) {
            if (q.key.equalsIgnoreCase(name) || q.code.equalsIgnoreCase(name) || q.name().equalsIgnoreCase(name)) {
                return q;
            }
        }
        throw new IllegalArgumentException("unknown quota '" + name + "' (one of public-amis, amis, ami-sharing, "
                + "or their Service Quotas codes)");
    }

    /** The quota with this Service Quotas code, or null. */
    public static Quota byCode(String code) {
        for (Quota q : values()) {
            if (q.code.equals(code)) {
                return q;
            }
        }
        return null;
    }
}
