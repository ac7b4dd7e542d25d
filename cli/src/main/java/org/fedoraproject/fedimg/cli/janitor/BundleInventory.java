package org.fedoraproject.fedimg.cli.janitor;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

import org.fedoraproject.fedimg.aws.AwsTags;
import org.fedoraproject.fedimg.aws.BundleNames;
import org.fedoraproject.fedimg.aws.support.AwsClients;

import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.Bucket;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.model.Tag;

/**
 * Reads one region's instance-store bundles (issue 22) into {@link Resource}s: in every bucket of the region
 * tagged {@code fedimg:created-by=fedimg}, one resource per image folder under {@link BundleNames#KEY_PREFIX},
 * with the tags of its first object (the uploader tags every object of a bundle alike) and the time of its
 * newest object. Objects outside that prefix, and buckets without the tag, are never looked at. Read-only.
 */
final class BundleInventory {

    private final AwsClients clients;

    BundleInventory(AwsClients clients) {
        this.clients = clients;
    }

    CompletableFuture<List<Resource>> region(String region) {
        S3AsyncClient s3 = clients.s3(region);
        return s3.listBuckets(b -> b.bucketRegion(region))
                .thenCompose(r -> {
                    List<CompletableFuture<List<Resource>>> perBucket = r.buckets().stream()
                            .map(b -> bucket(s3, region, b)).toList();
                    return CompletableFuture.allOf(perBucket.toArray(CompletableFuture[]::new))
                            .thenApply(v -> perBucket.stream().flatMap(f -> f.join().stream()).toList());
                });
    }

    private CompletableFuture<List<Resource>> bucket(S3AsyncClient s3, String region, Bucket bucket) {
        return s3.getBucketTagging(b -> b.bucket(bucket.name()))
                .thenApply(t -> tags(t.tagSet()))
                // NoSuchTagSet: an untagged bucket is not fedimg's
                .exceptionally(t -> Map.of())
                .thenCompose(tags -> !AwsTags.CREATED_BY_VALUE.equals(tags.get(AwsTags.CREATED_BY))
                        ? CompletableFuture.completedFuture(List.<Resource>of())
                        : folders(s3, region, bucket.name()));
    }

    private CompletableFuture<List<Resource>> folders(S3AsyncClient s3, String region, String bucket) {
        Map<String, List<S3Object>> byFolder = Collections.synchronizedMap(new TreeMap<>());
        return s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(BundleNames.KEY_PREFIX))
                .contents().subscribe(o -> {
                    String folder = folderOf(o.key());
                    if (folder != null) {
                        byFolder.computeIfAbsent(folder, f -> new ArrayList<>()).add(o);
                    }
                })
                .thenCompose(v -> {
                    List<CompletableFuture<Resource>> out = byFolder.entrySet().stream()
                            .map(e -> folder(s3, region, bucket, e.getKey(), e.getValue())).toList();
                    return CompletableFuture.allOf(out.toArray(CompletableFuture[]::new))
                            .thenApply(x -> out.stream().map(CompletableFuture::join).toList());
                });
    }

    private CompletableFuture<Resource> folder(S3AsyncClient s3, String region, String bucket, String folder,
            List<S3Object> objects) {
        Optional<Instant> newest = objects.stream().map(S3Object::lastModified).filter(t -> t != null)
                .max(Instant::compareTo);
        String first = objects.get(0).key();
        String name = folder.substring(BundleNames.KEY_PREFIX.length(), folder.length() - 1);
        return s3.getObjectTagging(b -> b.bucket(bucket).key(first))
                .thenApply(t -> tags(t.tagSet()))
                .exceptionally(t -> Map.of())
                .thenApply(tags -> new Resource(region, ResourceType.BUNDLE, id(bucket, folder), name, tags, newest,
                        objects.size() + " objects", Visibility.PRIVATE, Set.of()));
    }

    /** {@code fedimg/<name>/...} → {@code fedimg/<name>/}; null for a key not in an image folder. */
    static String folderOf(String key) {
        int slash = key.indexOf('/', BundleNames.KEY_PREFIX.length());
        return key.startsWith(BundleNames.KEY_PREFIX) && slash > BundleNames.KEY_PREFIX.length()
                ? key.substring(0, slash + 1) : null;
    }

    /** A bundle's id, which is also what an AMI registered from it references. */
    static String id(String bucket, String folder) {
        return LeakRules.S3_SCHEME + bucket + "/" + folder;
    }

    /** The bundle folder an instance-store AMI's {@code bucket/key} image location points into, if fedimg's. */
    static Optional<String> idOfImageLocation(String imageLocation) {
        int slash = imageLocation == null ? -1 : imageLocation.indexOf('/');
        if (slash <= 0) {
            return Optional.empty();
        }
        String folder = folderOf(imageLocation.substring(slash + 1));
        return folder == null ? Optional.empty() : Optional.of(id(imageLocation.substring(0, slash), folder));
    }

    /** The bucket and the folder (key prefix) of a bundle's id. */
    static String[] bucketAndFolder(String id) {
        String rest = id.substring(LeakRules.S3_SCHEME.length());
        int slash = rest.indexOf('/');
        return new String[] {rest.substring(0, slash), rest.substring(slash + 1)};
    }

    private static Map<String, String> tags(List<Tag> tags) {
        Map<String, String> m = new TreeMap<>();
        tags.forEach(t -> m.put(t.key(), t.value() == null ? "" : t.value()));
        return m;
    }
}
