package org.fedoraproject.fedimg.replicator.aws;

import java.util.List;

import org.fedoraproject.fedimg.replicator.domain.RegionSelection.AccountRegion;

import io.smallrye.mutiny.Uni;
import software.amazon.awssdk.services.ec2.Ec2AsyncClient;

/** DescribeRegions with every region and its opt-in status, asked in the base region. */
public final class RegionDirectory {

    private RegionDirectory() {
    }

    public static Uni<List<AccountRegion>> accountRegions(Ec2AsyncClient base) {
        return Uni.createFrom().completionStage(() -> base.describeRegions(b -> b.allRegions(true)))
                .map(r -> r.regions().stream()
                        .map(x -> new AccountRegion(x.regionName(), x.optInStatus() == null ? "opt-in-not-required" : x.optInStatus()))
                        .toList());
    }
}
