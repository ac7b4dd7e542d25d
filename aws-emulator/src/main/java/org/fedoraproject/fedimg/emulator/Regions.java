package org.fedoraproject.fedimg.emulator;

import java.util.List;
import java.util.Map;
import java.util.Set;

/** The commercial EC2 regions the emulator serves by default, and which of them are opt-in. */
public final class Regions {

    /** Regions enabled for every account: DescribeRegions reports {@code opt-in-not-required}. */
    public static final List<String> STANDARD = List.of(
            "us-east-1", "us-east-2", "us-west-1", "us-west-2",
            "ca-central-1", "sa-east-1",
            "eu-central-1", "eu-west-1", "eu-west-2", "eu-west-3", "eu-north-1",
            "ap-south-1", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3",
            "ap-southeast-1", "ap-southeast-2");

    /** Regions an account must opt in to: DescribeRegions reports {@code opted-in} for them. */
    public static final List<String> OPT_IN = List.of(
            "af-south-1", "ap-east-1", "ap-east-2", "ap-south-2", "ap-southeast-3", "ap-southeast-4",
            "ap-southeast-5", "ap-southeast-6", "ap-southeast-7", "ca-west-1", "eu-central-2", "eu-south-1",
            "eu-south-2", "il-central-1", "me-central-1", "me-south-1", "mx-central-1");

    /** Today's commercial regions, opt-in ones included: what the emulator serves unless told otherwise. */
    public static final List<String> DEFAULT = concat(STANDARD, OPT_IN);

    private static final Set<String> OPT_IN_SET = Set.copyOf(OPT_IN);

    /** Availability zone letters per region where AWS has more or fewer than three. */
    private static final Map<String, String> ZONES = Map.of(
            "us-east-1", "abcdef",
            "us-west-1", "ac",
            "us-west-2", "abcd",
            "ap-northeast-1", "acd",
            "ca-central-1", "abd",
            "sa-east-1", "abc");

    private Regions() {
    }

    public static boolean isOptIn(String region) {
        return OPT_IN_SET.contains(region);
    }

    /** Zone letters of a region, e.g. "abc". */
    public static String zoneLetters(String region) {
        return ZONES.getOrDefault(region, "abc");
    }

    private static List<String> concat(List<String> a, List<String> b) {
        java.util.ArrayList<String> all = new java.util.ArrayList<>(a);
        all.addAll(b);
        return List.copyOf(all);
    }
}
