package org.fedoraproject.fedimg.replicator.domain;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

import org.fedoraproject.fedimg.lifecycle.domain.StreamKey;

/**
 * Where and how one stream's AMIs are published (docs/lifecycle.md, "Per-stream settings"): its regions (none: the
 * global allow list, or every enabled region) and whether its AMIs are made public or only shared with listed
 * accounts, organizations and OUs (share-only, for staging). Encrypted variants are never public in either mode.
 */
public record StreamPublication(StreamKey key, Optional<List<String>> regions, Visibility visibility, ShareTargets shareWith) {

    public enum Visibility {
        PUBLIC, SHARED
    }

    private static final Pattern ACCOUNT = Pattern.compile("\\d{12}");
    private static final Pattern ORGANIZATION = Pattern.compile("arn:aws[a-z-]*:organizations::\\d{12}:organization/o-[a-z0-9]{10,32}");
    private static final Pattern OU = Pattern.compile(
            "arn:aws[a-z-]*:organizations::\\d{12}:ou/o-[a-z0-9]{10,32}/ou-[a-z0-9]{4,32}-[a-z0-9]{8,32}");

    /** Whom an AMI is shared with: launch permissions for all three; snapshots for the accounts (EC2 has no other). */
    public record ShareTargets(List<String> accounts, List<String> organizations, List<String> organizationalUnits) {
        public ShareTargets {
            accounts = List.copyOf(accounts);
            organizations = List.copyOf(organizations);
            organizationalUnits = List.copyOf(organizationalUnits);
        }

        public static final ShareTargets NONE = new ShareTargets(List.of(), List.of(), List.of());

        public boolean isEmpty() {
            return accounts.isEmpty() && organizations.isEmpty() && organizationalUnits.isEmpty();
        }

        /** Every target, accounts first: what an AmiPublished's {@code sharedWith} lists. */
        public List<String> all() {
            List<String> all = new ArrayList<>(accounts);
            all.addAll(organizations);
            all.addAll(organizationalUnits);
            return List.copyOf(all);
        }
    }

    public StreamPublication {
        regions = regions.map(List::copyOf);
        if (regions.isPresent() && regions.get().isEmpty()) {
            throw new IllegalArgumentException("fedimg.replicator.streams." + key.name() + ".regions is empty: leave it out "
                    + "for every region");
        }
        String prefix = "fedimg.replicator.streams." + key.name() + ".share-with.";
        shareWith.accounts().forEach(a -> require(ACCOUNT, a, prefix + "accounts", "a 12-digit account id"));
        shareWith.organizations().forEach(o -> require(ORGANIZATION, o, prefix + "organizations", "an organization ARN"));
        shareWith.organizationalUnits().forEach(o -> require(OU, o, prefix + "organizational-units", "an OU ARN"));
        if (visibility == Visibility.SHARED && shareWith.isEmpty()) {
            throw new IllegalArgumentException("stream " + key.name() + " is share-only (visibility=shared) but shares with "
                    + "nobody: set " + prefix + "accounts, organizations or organizational-units");
        }
    }

    /** Every enabled region (or the global allow list), public: a compose of no stream, or a stream that says nothing. */
    public static StreamPublication everywherePublic(StreamKey key) {
        return new StreamPublication(key, Optional.empty(), Visibility.PUBLIC, ShareTargets.NONE);
    }

    public boolean shareOnly() {
        return visibility == Visibility.SHARED;
    }

    /** The allow list region selection uses: the stream's regions, else the global one. */
    public List<String> allow(List<String> globalAllow) {
        return regions.orElse(globalAllow);
    }

    /** The publication of a compose: its stream's (the most specific, as retention picks it), else public everywhere. */
    public static StreamPublication of(List<StreamPublication> all, String composeType, String release) {
        return StreamKey.mostSpecific(all, StreamPublication::key, composeType, release)
                .orElseGet(() -> everywherePublic(new StreamKey("(none)", composeType == null ? "?" : composeType,
                        Optional.empty())));
    }

    private static void require(Pattern p, String value, String key, String what) {
        if (!p.matcher(value).matches()) {
            throw new IllegalArgumentException(key + ": '" + value + "' is not " + what);
        }
    }
}
