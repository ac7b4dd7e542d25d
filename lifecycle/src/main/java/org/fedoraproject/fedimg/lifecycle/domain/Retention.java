package org.fedoraproject.fedimg.lifecycle.domain;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.fedoraproject.fedimg.lifecycle.domain.LifecycleAction.Kind;

/**
 * The retention decisions, pure: which AMIs stay public, what the lifecycle job does next, and what the
 * replicator may demote to make room under the public AMI quota. Nothing here calls AWS or reads a clock.
 *
 * <p>Three guards always win over the policy: the {@code fedimg:keep} tag, a stream that is never demoted
 * (releases by default), and a launch within the stream's {@code unlaunched-for} window.
 */
public final class Retention {

    /** Newest first; the AMI id breaks ties so every run orders alike. */
    static final Comparator<ManagedAmi> NEWEST_FIRST = Comparator.comparing(ManagedAmi::publishedAt).reversed()
            .thenComparing(ManagedAmi::amiId);

    private Retention() {
    }

    /** Why nothing may happen to this AMI, or empty when its policy may act on it. */
    public static Optional<String> protection(ManagedAmi ami, Optional<Stream> stream, Instant now) {
        if (ami.kept()) {
            return Optional.of("tagged fedimg:keep");
        }
        if (stream.isEmpty()) {
            return Optional.of("no stream for compose type " + ami.composeType() + " release " + ami.release());
        }
        RetentionPolicy p = stream.get().policy();
        if (!p.demote()) {
            return Optional.of("stream " + stream.get().name() + " is never demoted");
        }
        // A launch before the AMI's publication (its test) is fedimg's own test instance, in the base region: it is not
        // a user's, and counting it would keep every nightly public there for the window (PipelineYearIT found it).
        if (ami.lastLaunched().isPresent() && ami.lastLaunched().get().isAfter(ami.publishedAt())
                && ami.lastLaunched().get().isAfter(now.minus(p.unlaunchedFor()))) {
            return Optional.of("launched " + ami.lastLaunched().get() + ", within " + p.unlaunchedFor());
        }
        return Optional.empty();
    }

    /**
     * The public AMIs among {@code amis} that their stream's policy keeps public: per (release, arch, variant),
     * the newest {@code keep-public} that are not older than {@code public-for}. AMIs of streams never demoted
     * and kept AMIs are always in the set.
     */
    public static Set<String> keptPublic(Collection<ManagedAmi> amis, Streams streams, Instant now) {
        Set<String> kept = new HashSet<>();
        Map<String, List<ManagedAmi>> groups = new LinkedHashMap<>();
        for (ManagedAmi a : amis) {
            if (!a.isPublic()) {
                continue;
            }
            Optional<Stream> s = streams.of(a);
            if (a.kept() || s.isEmpty() || !s.get().policy().demote()) {
                kept.add(a.amiId());
                continue;
            }
            groups.computeIfAbsent(s.get().name() + "|" + a.group(), k -> new ArrayList<>()).add(a);
        }
        for (List<ManagedAmi> group : groups.values()) {
            group.sort(NEWEST_FIRST);
            RetentionPolicy p = streams.of(group.get(0)).orElseThrow().policy();
            int n = 0;
            for (ManagedAmi a : group) {
                boolean young = p.publicFor().map(d -> age(a, now).compareTo(d) < 0).orElse(true);
                if (n < p.keepPublic() && young) {
                    kept.add(a.amiId());
                    n++;
                }
            }
        }
        return kept;
    }

    /**
     * What the lifecycle job does now to the AMIs of one region, in order per AMI (make private, then disable,
     * then deregister). Re-planning after any subset was carried out gives the rest: the plan is idempotent.
     */
    public static List<LifecycleAction> plan(Collection<ManagedAmi> amis, Streams streams, Instant now) {
        Set<String> kept = keptPublic(amis, streams, now);
        List<ManagedAmi> ordered = new ArrayList<>(amis);
        ordered.sort(NEWEST_FIRST.reversed());
        List<LifecycleAction> actions = new ArrayList<>();
        for (ManagedAmi a : ordered) {
            Optional<Stream> stream = streams.of(a);
            if (protection(a, stream, now).isPresent()) {
                continue;
            }
            RetentionPolicy p = stream.get().policy();
            Duration age = age(a, now);
            boolean isPrivate = !a.isPublic();
            if (a.isPublic() && !kept.contains(a.amiId()) && age.compareTo(p.privateAfter()) >= 0) {
                actions.add(new LifecycleAction(a, Kind.MAKE_PRIVATE, "no longer kept public by stream "
                        + stream.get().name() + " (keep-public " + p.keepPublic()
                        + p.publicFor().map(d -> ", public-for " + d).orElse("") + ")"));
                isPrivate = true;
            }
            if (!isPrivate) {
                continue;
            }
            boolean disabled = a.disabled();
            if (!disabled && p.disableAfter().isPresent() && age.compareTo(p.disableAfter().get()) >= 0) {
                actions.add(new LifecycleAction(a, Kind.DISABLE, "private and older than disable-after "
                        + p.disableAfter().get()));
            }
            if (p.deregisterAfter().isPresent() && age.compareTo(p.deregisterAfter().get()) >= 0) {
                actions.add(new LifecycleAction(a, Kind.DEREGISTER, "private and older than deregister-after "
                        + p.deregisterAfter().get()));
            }
        }
        return actions;
    }

    /**
     * Before {@code incoming} is made public in a region holding {@code publicAmis} (every public AMI of the
     * account there, fedimg's or not) under a quota of {@code quota}: the AMIs to make private first, oldest
     * first, only of the incoming AMI's own stream and only those its policy no longer keeps once the incoming
     * one is public. Never a release, a kept AMI or one launched within the window.
     */
    public static Room makeRoom(Collection<ManagedAmi> publicAmis, long quota, ManagedAmi incoming, Streams streams,
            Instant now) {
        long used = publicAmis.stream().filter(a -> !a.amiId().equals(incoming.amiId())).count();
        long need = used + 1 - quota;
        if (need <= 0) {
            return new Room(List.of(), Optional.empty());
        }
        Optional<Stream> stream = streams.of(incoming);
        List<ManagedAmi> withIncoming = new ArrayList<>(publicAmis.stream()
                .filter(a -> !a.amiId().equals(incoming.amiId())).toList());
        withIncoming.add(incoming.withPublic(true));
        Set<String> kept = keptPublic(withIncoming, streams, now);
        List<ManagedAmi> candidates = new ArrayList<>();
        for (ManagedAmi a : publicAmis) {
            if (a.amiId().equals(incoming.amiId()) || kept.contains(a.amiId()) || stream.isEmpty()) {
                continue;
            }
            Optional<Stream> own = streams.of(a);
            if (own.isEmpty() || !own.get().name().equals(stream.get().name())
                    || protection(a, own, now).isPresent()
                    || age(a, now).compareTo(own.get().policy().privateAfter()) < 0) {
                continue;
            }
            candidates.add(a);
        }
        candidates.sort(NEWEST_FIRST.reversed());
        if (candidates.size() < need) {
            return new Room(List.of(), Optional.of("public AMI quota: " + used
                    + " public AMIs in " + incoming.region() + " with a quota of " + quota + ", and only "
                    + candidates.size() + " of stream " + stream.map(Stream::name).orElse("(none)")
                    + " may be made private"));
        }
        return new Room(List.copyOf(candidates.subList(0, (int) need)), Optional.empty());
    }

    static Duration age(ManagedAmi a, Instant now) {
        return Duration.between(a.publishedAt(), now);
    }

    /**
     * @param demote  the AMIs to make private before the new one is made public
     * @param refusal set when there is no room even after demoting everything allowed: nothing is demoted then
     */
    public record Room(List<ManagedAmi> demote, Optional<String> refusal) {
    }
}
