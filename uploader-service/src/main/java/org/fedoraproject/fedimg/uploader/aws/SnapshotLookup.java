package org.fedoraproject.fedimg.uploader.aws;

import java.util.ArrayList;
import java.util.List;

import org.fedoraproject.fedimg.aws.AwsTags;
import org.fedoraproject.fedimg.aws.support.AwsClients;
import org.fedoraproject.fedimg.aws.support.Ec2Tags;

import io.smallrye.mutiny.Uni;
import software.amazon.awssdk.services.ec2.model.DescribeSnapshotsRequest;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.Snapshot;

/** Finds this image's snapshots by tag before anything is created: a re-run reuses what the last run made. */
public final class SnapshotLookup {

    /** Purpose tag values of the uploader's snapshots. */
    public static final String PURPOSE_SNAPSHOT = "snapshot";
    public static final String PURPOSE_ENCRYPTED = "snapshot-encrypted";

    private final AwsClients aws;

    public SnapshotLookup(AwsClients aws) {
        this.aws = aws;
    }

    public Uni<List<Snapshot>> find(String region, String imageKey, int respin, String purpose) {
        List<Filter> filters = new ArrayList<>(List.of(Ec2Tags.tag(AwsTags.IMAGE_KEY, imageKey),
                Ec2Tags.tag(AwsTags.RESPIN, String.valueOf(respin)),
                Ec2Tags.tag(AwsTags.CREATED_BY, AwsTags.CREATED_BY_VALUE)));
        if (purpose != null) {
            filters.add(Ec2Tags.tag(AwsTags.PURPOSE, purpose));
        }
        DescribeSnapshotsRequest req = DescribeSnapshotsRequest.builder().ownerIds("self").filters(filters).build();
        return Uni.createFrom().completionStage(() -> aws.ec2(region).describeSnapshots(req))
                .map(r -> r.snapshots());
    }
}
