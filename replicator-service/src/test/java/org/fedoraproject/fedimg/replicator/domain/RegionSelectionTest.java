package org.fedoraproject.fedimg.replicator.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.fedoraproject.fedimg.replicator.domain.RegionSelection.AccountRegion;
import org.fedoraproject.fedimg.replicator.domain.RegionSelection.Plan;
import org.junit.jupiter.api.Test;

class RegionSelectionTest {

    static final List<AccountRegion> ACCOUNT = List.of(
            new AccountRegion("us-east-1", "opt-in-not-required"),
            new AccountRegion("us-west-2", "opt-in-not-required"),
            new AccountRegion("eu-west-1", "opt-in-not-required"),
            new AccountRegion("af-south-1", "opted-in"),
            new AccountRegion("me-central-1", "not-opted-in"));

    @Test
    void everyEnabledRegionIncludingOptedInButNotTheOthers() {
        Plan plan = RegionSelection.select(ACCOUNT, "us-east-1", List.of(), List.of());
        assertThat(plan.targets()).containsExactlyInAnyOrder("us-east-1", "us-west-2", "eu-west-1", "af-south-1");
        assertThat(plan.refused()).isEmpty();
    }

    @Test
    void denyListRemovesRegionsButNeverTheBaseRegion() {
        Plan plan = RegionSelection.select(ACCOUNT, "us-east-1", List.of(), List.of("eu-west-1", "us-east-1"));
        assertThat(plan.targets()).containsExactlyInAnyOrder("us-east-1", "us-west-2", "af-south-1");
    }

    @Test
    void allowListNarrowsAndAlwaysKeepsTheBaseRegion() {
        Plan plan = RegionSelection.select(ACCOUNT, "us-east-1", List.of("eu-west-1"), List.of());
        assertThat(plan.targets()).containsExactlyInAnyOrder("us-east-1", "eu-west-1");
    }

    @Test
    void allowedRegionsThatCannotBeUsedAreRefusedWithAReasonNotDropped() {
        Plan plan = RegionSelection.select(ACCOUNT, "us-east-1", List.of("me-central-1", "xx-nowhere-1", "us-west-2"), List.of());
        assertThat(plan.targets()).containsExactlyInAnyOrder("us-east-1", "us-west-2");
        assertThat(plan.refused()).containsOnlyKeys("me-central-1", "xx-nowhere-1");
        assertThat(plan.refused().get("me-central-1")).contains("not enabled").contains("not-opted-in");
        assertThat(plan.refused().get("xx-nowhere-1")).contains("unknown");
        assertThat(plan.allRegions()).containsExactlyInAnyOrder("us-east-1", "us-west-2", "me-central-1", "xx-nowhere-1");
    }

    @Test
    void denyWinsOverAllow() {
        Plan plan = RegionSelection.select(ACCOUNT, "us-east-1", List.of("eu-west-1", "us-west-2"), List.of("eu-west-1"));
        assertThat(plan.targets()).containsExactlyInAnyOrder("us-east-1", "us-west-2");
        assertThat(plan.refused()).isEmpty();
    }

    @Test
    void baseRegionIsATargetEvenIfDescribeRegionsDidNotListIt() {
        Plan plan = RegionSelection.select(List.of(new AccountRegion("eu-west-1", "opt-in-not-required")), "us-east-1",
                List.of(), List.of());
        assertThat(plan.targets()).containsExactlyInAnyOrder("us-east-1", "eu-west-1");
    }
}
