package org.fedoraproject.fedimg.emulator.s3;

import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;

import org.fedoraproject.fedimg.emulator.Faults;
import org.fedoraproject.fedimg.emulator.http.HttpReply;
import org.w3c.dom.Element;

/**
 * Buckets: ListBuckets, CreateBucket (global names bound to a region, LocationConstraint rules, object
 * ownership and ACL), HeadBucket, DeleteBucket, GetBucketLocation, bucket tagging, ownership controls, the public
 * access block and the bucket ACL.
 */
final class BucketCalls extends S3Calls {

    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");
    private static final Pattern IP = Pattern.compile("\\d+\\.\\d+\\.\\d+\\.\\d+");
    private static final Set<String> OWNERSHIPS = Set.of("BucketOwnerEnforced", "BucketOwnerPreferred", "ObjectWriter");
    private static final String[] BLOCK_SETTINGS = {"BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy",
            "RestrictPublicBuckets"};

    private final Faults faults;
    private final Predicate<String> servedRegion;

    BucketCalls(S3Store store, Faults faults, Predicate<String> servedRegion) {
        super(store);
        this.faults = faults;
        this.servedRegion = servedRegion;
    }

    @Override
    void register(Map<String, S3Api.Handler> ops) {
        ops.put("ListBuckets", this::listBuckets);
        ops.put("CreateBucket", this::createBucket);
        ops.put("HeadBucket", this::headBucket);
        ops.put("DeleteBucket", this::deleteBucket);
        ops.put("GetBucketLocation", this::getBucketLocation);
        ops.put("PutBucketTagging", this::putBucketTagging);
        ops.put("GetBucketTagging", this::getBucketTagging);
        ops.put("DeleteBucketTagging", this::deleteBucketTagging);
        ops.put("PutBucketOwnershipControls", this::putOwnershipControls);
        ops.put("GetBucketOwnershipControls", this::getOwnershipControls);
        ops.put("PutPublicAccessBlock", this::putPublicAccessBlock);
        ops.put("GetPublicAccessBlock", this::getPublicAccessBlock);
        ops.put("DeletePublicAccessBlock", this::deletePublicAccessBlock);
        ops.put("GetBucketAcl", this::getBucketAcl);
        ops.put("PutBucketAcl", this::putBucketAcl);
    }

    private HttpReply listBuckets(S3Request r) {
        String prefix = r.query().getOrDefault("prefix", "");
        String region = r.query().get("bucket-region");
        S3Xml x = S3Xml.document("ListAllMyBucketsResult").open("Owner").element("ID", store.owner).close("Owner")
                .open("Buckets");
        synchronized (store) {
            for (S3Model.Bucket b : store.buckets.values()) {
                if (b.name.startsWith(prefix) && (region == null || region.equals(b.region))) {
                    x.open("Bucket").element("Name", b.name).element("CreationDate", S3Xml.timestamp(b.created))
                            .element("BucketRegion", b.region).close("Bucket");
                }
            }
        }
        return xml(200, x.close("Buckets").end("ListAllMyBucketsResult"));
    }

    /**
     * As on AWS: names are global; re-creating one's own bucket answers BucketAlreadyOwnedByYou, except in
     * us-east-1 where it succeeds; a name another account holds is BucketAlreadyExists. The region is the
     * LocationConstraint (none means us-east-1, which may not be named); a regional endpoint creates buckets in its
     * own region only, while us-east-1's serves any.
     */
    private HttpReply createBucket(S3Request r) throws IOException {
        String name = r.bucket();
        checkName(name);
        byte[] body = smallBody(r, false);
        String constraint = null;
        if (body.length > 0) {
            constraint = S3Xml.text(S3Xml.parse(body, "CreateBucketConfiguration"), "LocationConstraint");
        }
        if ("us-east-1".equals(constraint)) {
            throw new S3Exception(400, "InvalidLocationConstraint", "The specified location-constraint is not valid")
                    .with("LocationConstraint", constraint);
        }
        String region = constraint == null || constraint.isEmpty() ? "us-east-1"
                : "EU".equals(constraint) ? "eu-west-1" : constraint;
        if (!servedRegion.test(region)) {
            throw new S3Exception(400, "InvalidLocationConstraint", "The specified location-constraint is not valid")
                    .with("LocationConstraint", constraint);
        }
        if (!"us-east-1".equals(r.region()) && !region.equals(r.region())) {
            throw new S3Exception(400, "IllegalLocationConstraintException", "The "
                    + (constraint == null ? "unspecified" : constraint) + " location constraint is incompatible for "
                    + "the region specific endpoint this request was sent to.");
        }
        String ownership = r.headers().getOrDefault("x-amz-object-ownership", "BucketOwnerEnforced");
        if (!OWNERSHIPS.contains(ownership)) {
            throw S3Exception.invalidArgument("Invalid x-amz-object-ownership header: " + ownership,
                    "x-amz-object-ownership", ownership);
        }
        if (faults.isBucketOwnedElsewhere(name)) {
            throw new S3Exception(409, "BucketAlreadyExists", "The requested bucket name is not available. The bucket "
                    + "namespace is shared by all users of the system. Please select a different name and try again.")
                    .with("BucketName", name);
        }
        synchronized (store) {
            S3Model.Bucket existing = store.buckets.get(name);
            if (existing != null) {
                if (existing.region.equals("us-east-1") && region.equals("us-east-1")) {
                    return ok().header("Location", "/" + name);
                }
                throw new S3Exception(409, "BucketAlreadyOwnedByYou", "Your previous request to create the named "
                        + "bucket succeeded and you already own it.").with("BucketName", name);
            }
            S3Model.Bucket bucket = new S3Model.Bucket(name, region, Instant.now(), Acl.ownerOnly(store.owner));
            bucket.ownership = ownership;
            String canned = r.header("x-amz-acl");
            if (canned != null) {
                Acl acl = Acl.canned(canned, store.owner, true);
                if (bucket.aclsDisabled() && !acl.ownerFullControlOnly(store.owner)) {
                    throw new S3Exception(400, "InvalidBucketAclWithObjectOwnership", "Bucket cannot have ACLs set "
                            + "with ObjectOwnership's BucketOwnerEnforced setting");
                }
                if (acl.isPublic()) {
                    throw S3Exception.accessDenied(); // new buckets block public ACLs
                }
                bucket.acl = acl;
            }
            store.buckets.put(name, bucket);
        }
        return ok().header("Location", "/" + name);
    }

    private static void checkName(String name) {
        if (name == null || !NAME.matcher(name).matches() || name.contains("..") || IP.matcher(name).matches()
                || name.startsWith("xn--") || name.startsWith("sthree-") || name.endsWith("-s3alias")
                || name.endsWith("--ol-s3")) {
            throw new S3Exception(400, "InvalidBucketName", "The specified bucket is not valid.")
                    .with("BucketName", name);
        }
    }

    private HttpReply headBucket(S3Request r) {
        synchronized (store) {
            S3Model.Bucket b = bucket(r);
            return ok().header("x-amz-bucket-region", b.region);
        }
    }

    private HttpReply deleteBucket(S3Request r) {
        synchronized (store) {
            S3Model.Bucket b = bucket(r);
            if (!b.objects.isEmpty()) {
                throw new S3Exception(409, "BucketNotEmpty", "The bucket you tried to delete is not empty")
                        .with("BucketName", b.name);
            }
            List.copyOf(b.uploads.values()).forEach(u -> store.abort(b, u));
            store.buckets.remove(b.name);
        }
        return noContent();
    }

    private HttpReply getBucketLocation(S3Request r) {
        String region;
        synchronized (store) {
            region = store.bucket(r.bucket()).region; // answered from any region, as AWS does
        }
        String xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<LocationConstraint xmlns=\"" + S3Xml.NAMESPACE
                + "\">" + ("us-east-1".equals(region) ? "" : region) + "</LocationConstraint>";
        return xml(200, xml);
    }

    private HttpReply putBucketTagging(S3Request r) throws IOException {
        Map<String, String> tags = tagsFromXml(smallBody(r, true), 50);
        synchronized (store) {
            S3Model.Bucket b = bucket(r);
            b.tags.clear();
            b.tags.putAll(tags);
        }
        return noContent();
    }

    private HttpReply getBucketTagging(S3Request r) {
        synchronized (store) {
            S3Model.Bucket b = bucket(r);
            if (b.tags.isEmpty()) {
                throw new S3Exception(404, "NoSuchTagSet", "The TagSet does not exist").with("BucketName", b.name);
            }
            return xml(200, tagsXml(b.tags));
        }
    }

    private HttpReply deleteBucketTagging(S3Request r) {
        synchronized (store) {
            bucket(r).tags.clear();
        }
        return noContent();
    }

    private HttpReply putOwnershipControls(S3Request r) throws IOException {
        Element rule = S3Xml.child(S3Xml.parse(smallBody(r, false), "OwnershipControls"), "Rule");
        String ownership = rule == null ? null : S3Xml.text(rule, "ObjectOwnership");
        if (ownership == null || !OWNERSHIPS.contains(ownership)) {
            throw S3Exception.malformedXml();
        }
        synchronized (store) {
            S3Model.Bucket b = bucket(r);
            if ("BucketOwnerEnforced".equals(ownership) && !b.acl.ownerFullControlOnly(store.owner)) {
                throw new S3Exception(400, "InvalidBucketAclWithObjectOwnership", "Bucket cannot have ACLs set with "
                        + "ObjectOwnership's BucketOwnerEnforced setting");
            }
            b.ownership = ownership;
        }
        return ok();
    }

    private HttpReply getOwnershipControls(S3Request r) {
        String ownership;
        synchronized (store) {
            ownership = bucket(r).ownership;
        }
        return xml(200, S3Xml.document("OwnershipControls").open("Rule").element("ObjectOwnership", ownership)
                .close("Rule").end("OwnershipControls"));
    }

    private HttpReply putPublicAccessBlock(S3Request r) throws IOException {
        Element config = S3Xml.parse(smallBody(r, true), "PublicAccessBlockConfiguration");
        boolean[] settings = new boolean[BLOCK_SETTINGS.length];
        for (int i = 0; i < settings.length; i++) {
            settings[i] = "true".equalsIgnoreCase(S3Xml.text(config, BLOCK_SETTINGS[i]));
        }
        synchronized (store) {
            bucket(r).publicAccessBlock = settings;
        }
        return ok();
    }

    private HttpReply getPublicAccessBlock(S3Request r) {
        boolean[] settings;
        synchronized (store) {
            S3Model.Bucket b = bucket(r);
            if (b.publicAccessBlock == null) {
                throw new S3Exception(404, "NoSuchPublicAccessBlockConfiguration", "The public access block "
                        + "configuration was not found").with("BucketName", b.name);
            }
            settings = b.publicAccessBlock.clone();
        }
        S3Xml x = S3Xml.document("PublicAccessBlockConfiguration");
        for (int i = 0; i < settings.length; i++) {
            x.element(BLOCK_SETTINGS[i], settings[i]);
        }
        return xml(200, x.end("PublicAccessBlockConfiguration"));
    }

    private HttpReply deletePublicAccessBlock(S3Request r) {
        synchronized (store) {
            bucket(r).publicAccessBlock = null;
        }
        return noContent();
    }

    private HttpReply getBucketAcl(S3Request r) {
        synchronized (store) {
            return xml(200, bucket(r).acl.toXml(store.owner));
        }
    }

    private HttpReply putBucketAcl(S3Request r) throws IOException {
        byte[] body = smallBody(r, false);
        synchronized (store) {
            S3Model.Bucket b = bucket(r);
            Acl acl = body.length > 0 ? Acl.parse(S3Xml.parse(body, "AccessControlPolicy"))
                    : Acl.canned(r.headers().getOrDefault("x-amz-acl", "private"), store.owner, true);
            if (b.aclsDisabled() && !acl.ownerFullControlOnly(store.owner)) {
                throw new S3Exception(400, "AccessControlListNotSupported", "The bucket does not allow ACLs");
            }
            if (acl.isPublic() && b.blocksPublicAcls()) {
                throw S3Exception.accessDenied();
            }
            b.acl = acl;
        }
        return ok();
    }
}
