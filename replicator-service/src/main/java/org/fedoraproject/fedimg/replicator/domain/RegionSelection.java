package org.fedoraproject.fedimg.replicator.domain;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Which regions an AMI goes to: every region enabled for the account (opt-in not required, or opted in),
 * narrowed by the allow list and the deny list, plus the base region always. A region the allow list
 * names but that is unknown or not enabled is not dropped: it is refused with a reason, so the aggregate
 * shows it as failed instead of skipping it silently.
 */
public final class RegionSelection {

    /** A region as DescribeRegions(AllRegions=true) reports it. */
    public record AccountRegion(String name, String optInStatus) {
        public boolean enabled() {
            return "opt-in-not-required".equals(optInStatus) || "opted-in".equals(optInStatus);
        }
    }

    /** Regions to replicate to, and regions refused with a reason. */
    public record Plan(List<String> targets, Map<String, String> refused) {
        public Plan {
            targets = List.copyOf(targets);
            refused = Map.copyOf(refused);
        }

        /** Every region that gets a per-region result: the targets and the refused ones. */
        public Set<String> allRegions() {
            Set<String> all = new TreeSet<>(targets);
            all.addAll(refused.keySet());
            return all;
        }
    }

    private RegionSelection() {
    }

    public static Plan select(Collection<AccountRegion> account, String baseRegion, List<String> allow, List<String> deny) {
        Map<String, AccountRegion> byName = account.stream()
                .collect(Collectors.toMap(AccountRegion::name, r -> r, (a, b) -> a, LinkedHashMap::new));
        Set<String> denied = Set.copyOf(deny);
        Set<String> targets = new TreeSet<>();
        Map<String, String> refused = new LinkedHashMap<>();
        if (allow.isEmpty()) {
            byName.values().stream().filter(AccountRegion::enabled).map(AccountRegion::name)
                    .filter(r -> !denied.contains(r)).forEach(targets::add);
        } else {
            for (String r : allow) {
                if (denied.contains(r)) {
                    continue;
                }
                AccountRegion known = byName.get(r);
                if (known == null) {
                    refused.put(r, "region " + r + " is in the allow list but unknown to EC2 for this account");
                } else if (!known.enabled()) {
                    refused.put(r, "region " + r + " is in the allow list but not enabled for the account (opt-in status "
                            + known.optInStatus() + ")");
                } else {
                    targets.add(r);
                }
            }
        }
        // The AMI already lives in the base region; it is published there too, whatever the lists say.
        targets.add(baseRegion);
        refused.remove(baseRegion);
        List<String> ordered = new ArrayList<>(targets);
        return new Plan(ordered, refused);
    }
}
