package org.fedoraproject.fedimg.lifecycle.aws;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import org.fedoraproject.fedimg.aws.AwsTags;
import org.fedoraproject.fedimg.aws.support.Ec2Tags;
import org.fedoraproject.fedimg.lifecycle.domain.ManagedAmi;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import software.amazon.awssdk.services.ec2.Ec2AsyncClient;
import software.amazon.awssdk.services.ec2.model.BlockDeviceMapping;
import software.amazon.awssdk.services.ec2.model.DescribeImagesRequest;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.Image;
import software.amazon.awssdk.services.ec2.model.ImageState;

/**
 * DescribeImages of the account's own AMIs in a region, as {@link ManagedAmi}s: either those fedimg published
 * (tagged as passed, disabled and deprecated ones included), or every public one (fedimg's or not: all count
 * against the quota; those without fedimg's tags belong to no stream and are never touched).
 */
public final class ManagedAmis {

    /** Pages read per call at most: 1000 AMIs a page, far beyond the AMIs quota's use by fedimg. */
    static final int MAX_PAGES = 60;

    private ManagedAmis() {
    }

    /** fedimg's published AMIs in the region (copies and base-region AMIs alike). */
    public static Uni<List<ManagedAmi>> published(Ec2AsyncClient ec2, String region) {
        return describe(ec2, region, DescribeImagesRequest.builder().owners("self").includeDisabled(true)
                .includeDeprecated(true).filters(Ec2Tags.tag(AwsTags.CREATED_BY, AwsTags.CREATED_BY_VALUE),
                        Ec2Tags.tag(AwsTags.TEST_VERDICT, "passed")));
    }

    /** Every public AMI the account owns in the region. */
    public static Uni<List<ManagedAmi>> publicOnes(Ec2AsyncClient ec2, String region) {
        return describe(ec2, region, DescribeImagesRequest.builder().owners("self").includeDeprecated(true)
                .filters(Filter.builder().name("is-public").values("true").build()));
    }

    /**
     * The account's private AMIs tagged as made private for room for {@code amiId} ({@link AwsTags#DEMOTED_FOR}): what
     * a replicator demoted for it, found again after a crash between the demotion and its announcement.
     */
    public static Uni<List<ManagedAmi>> demotedFor(Ec2AsyncClient ec2, String region, String amiId) {
        return describe(ec2, region, DescribeImagesRequest.builder().owners("self").includeDeprecated(true)
                .includeDisabled(true).filters(Ec2Tags.tag(AwsTags.DEMOTED_FOR, amiId),
                        Filter.builder().name("is-public").values("false").build()));
    }

    private static Uni<List<ManagedAmi>> describe(Ec2AsyncClient ec2, String region, DescribeImagesRequest.Builder req) {
        DescribeImagesRequest first = req.maxResults(1000).build();
        return Multi.createBy().repeating()
                .uni(() -> new String[] { null }, (token) -> Uni.createFrom().completionStage(
                        () -> ec2.describeImages(first.toBuilder().nextToken(token[0]).build()))
                        .invoke(r -> token[0] = r.nextToken()))
                .whilst(r -> r.nextToken() != null)
                .select().first(MAX_PAGES)
                .onItem().transformToIterable(r -> r.images())
                .filter(i -> i.state() != ImageState.DEREGISTERED && i.state() != ImageState.FAILED)
                .map(i -> of(region, i))
                .collect().asList()
                .map(ArrayList::new);
    }

    static ManagedAmi of(String region, Image i) {
        Map<String, String> tags = Ec2Tags.map(i.tags());
        String composeId = tags.get(AwsTags.COMPOSE_ID);
        String type = tags.getOrDefault(AwsTags.COMPOSE_TYPE, composeType(composeId));
        return new ManagedAmi(i.imageId(), region, i.name(), tags.get(AwsTags.IMAGE_KEY), tags.get(AwsTags.SHA256), type, composeId, tags.get(AwsTags.RELEASE),
                tags.get(AwsTags.ARCH), tags.get(AwsTags.VARIANT),
                instant(tags.get(AwsTags.TESTED_AT)).or(() -> instant(i.creationDate())).orElse(Instant.EPOCH),
                Boolean.TRUE.equals(i.publicLaunchPermissions()), i.state() == ImageState.DISABLED,
                tags.containsKey(AwsTags.KEEP), instant(i.lastLaunchedTime()),
                i.blockDeviceMappings().stream().map(BlockDeviceMapping::ebs).filter(Objects::nonNull)
                        .map(e -> e.snapshotId()).filter(Objects::nonNull).distinct().toList());
    }

    /**
     * For AMIs published before the compose type was tagged: productmd compose ids end in {@code .n.N} (nightly),
     * {@code .t.N} (test) or {@code .N} (production). Null (no stream: never touched) for anything else.
     */
    static String composeType(String composeId) {
        if (composeId == null) {
            return null;
        }
        if (composeId.matches(".*-\\d{8}\\.n\\.\\d+")) {
            return "nightly";
        }
        if (composeId.matches(".*-\\d{8}\\.t\\.\\d+")) {
            return "test";
        }
        return composeId.matches(".*-\\d{8}\\.\\d+") ? "production" : null;
    }

    private static Optional<Instant> instant(String s) {
        if (s == null || s.isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Instant.parse(s));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }
}
