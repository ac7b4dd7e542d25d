package org.fedoraproject.fedimg.emulator.s3;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.w3c.dom.Element;

/**
 * An access control list: grants of READ, WRITE, READ_ACP, WRITE_ACP or FULL_CONTROL to a canonical user or a
 * group, built from S3's canned ACLs or read from an AccessControlPolicy document. What the emulator enforces:
 * EC2 reads a bundle only through a grant to itself ({@code aws-exec-read}) or to all or authenticated users
 * (unless the bucket ignores public ACLs); anonymous requests read only what all users may read, other accounts
 * what all or authenticated users may read.
 *
 * @param canned the canned ACL it was made from, or null for an explicit policy
 */
record Acl(String canned, List<Grant> grants) {

    static final String ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers";
    static final String AUTHENTICATED_USERS = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers";
    static final String LOG_DELIVERY = "http://acs.amazonaws.com/groups/s3/LogDelivery";
    /** EC2's canonical user ("za-team"), to which {@code aws-exec-read} grants READ. */
    static final String EC2 = "6aa5a366c34c1cbe25dc49211496e913e0351eb0e8c37aa3477e40942ec6b97c";
    static final String BUCKET_OWNER_FULL_CONTROL = "bucket-owner-full-control";
    private static final Set<String> PERMISSIONS = Set.of("READ", "WRITE", "READ_ACP", "WRITE_ACP", "FULL_CONTROL");
    private static final Set<String> GROUPS = Set.of(ALL_USERS, AUTHENTICATED_USERS, LOG_DELIVERY);

    /** @param group true for a group URI, false for a canonical user id */
    record Grant(boolean group, String grantee, String permission) {
    }

    Acl {
        grants = List.copyOf(grants);
    }

    /** A canned ACL ({@code x-amz-acl}); {@code forBucket} allows {@code log-delivery-write}. */
    static Acl canned(String name, String owner, boolean forBucket) {
        List<Grant> g = new ArrayList<>();
        g.add(new Grant(false, owner, "FULL_CONTROL"));
        switch (name) {
            case "private", BUCKET_OWNER_FULL_CONTROL, "bucket-owner-read" -> {
                // one account: the object's owner is the bucket's owner
            }
            case "public-read" -> g.add(new Grant(true, ALL_USERS, "READ"));
            case "public-read-write" -> {
                g.add(new Grant(true, ALL_USERS, "READ"));
                g.add(new Grant(true, ALL_USERS, "WRITE"));
            }
            case "authenticated-read" -> g.add(new Grant(true, AUTHENTICATED_USERS, "READ"));
            case "aws-exec-read" -> g.add(new Grant(false, EC2, "READ"));
            case "log-delivery-write" -> {
                if (!forBucket) {
                    throw invalidAcl(name);
                }
                g.add(new Grant(true, LOG_DELIVERY, "WRITE"));
                g.add(new Grant(true, LOG_DELIVERY, "READ_ACP"));
            }
            default -> throw invalidAcl(name);
        }
        return new Acl(name, g);
    }

    static Acl ownerOnly(String owner) {
        return canned("private", owner, false);
    }

    private static S3Exception invalidAcl(String name) {
        return S3Exception.invalidArgument("Invalid canned ACL " + name, "x-amz-acl", name);
    }

    /** An {@code AccessControlPolicy} request body. */
    static Acl parse(Element policy) {
        Element list = S3Xml.child(policy, "AccessControlList");
        if (list == null) {
            throw S3Exception.malformedXml();
        }
        List<Grant> g = new ArrayList<>();
        for (Element grant : S3Xml.children(list, "Grant")) {
            Element grantee = S3Xml.child(grant, "Grantee");
            String permission = S3Xml.text(grant, "Permission");
            if (grantee == null || permission == null || !PERMISSIONS.contains(permission)) {
                throw S3Exception.malformedXml();
            }
            String uri = S3Xml.text(grantee, "URI");
            String id = S3Xml.text(grantee, "ID");
            if (uri != null && GROUPS.contains(uri)) {
                g.add(new Grant(true, uri, permission));
            } else if (id != null && id.matches("[0-9a-f]{64}")) {
                g.add(new Grant(false, id, permission));
            } else {
                throw S3Exception.invalidArgument("Invalid id", "CanonicalUser/ID", id);
            }
        }
        return new Acl(null, g);
    }

    /** A grant of READ to EC2's own canonical user: {@code aws-exec-read}. */
    boolean grantsEc2Read() {
        return allows(false, EC2, "READ");
    }

    /** READ for everybody ({@code public-read}), which also lets anonymous requests read. */
    boolean grantsAllUsersRead() {
        return allows(true, ALL_USERS, "READ");
    }

    /** READ for every signed request, EC2's included ({@code public-read}, {@code authenticated-read}). */
    boolean grantsAuthenticatedRead() {
        return grantsAllUsersRead() || allows(true, AUTHENTICATED_USERS, "READ");
    }

    /** Grants to all or to authenticated users, which a bucket's public access block refuses. */
    boolean isPublic() {
        return grants.stream().anyMatch(g -> g.group() && !g.grantee().equals(LOG_DELIVERY));
    }

    /** Only the owner's full control: what buckets with ACLs disabled accept. */
    boolean ownerFullControlOnly(String owner) {
        return grants.stream().allMatch(g -> !g.group() && g.grantee().equals(owner));
    }

    private boolean allows(boolean group, String grantee, String permission) {
        return grants.stream().anyMatch(g -> g.group() == group && g.grantee().equals(grantee)
                && (g.permission().equals(permission) || g.permission().equals("FULL_CONTROL")));
    }

    /** The {@code AccessControlPolicy} document GetObjectAcl/GetBucketAcl answer with. */
    String toXml(String owner) {
        S3Xml x = S3Xml.document("AccessControlPolicy").open("Owner").element("ID", owner).close("Owner")
                .open("AccessControlList");
        for (Grant g : grants) {
            x.open("Grant").raw("<Grantee xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:type=\""
                    + (g.group() ? "Group" : "CanonicalUser") + "\">");
            x.element(g.group() ? "URI" : "ID", g.grantee()).close("Grantee").element("Permission", g.permission())
                    .close("Grant");
        }
        return x.close("AccessControlList").end("AccessControlPolicy");
    }

    /** Short form for views: the canned name, or the grants. */
    String describe() {
        if (canned != null) {
            return canned;
        }
        return String.join(",", grants.stream().map(g -> g.grantee() + ":" + g.permission()).toList());
    }
}
