package org.fedoraproject.fedimg.tester.domain;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * In {@code one-per-group} mode: which AMI to boot for a registered AMI, or whose verdict to take.
 *
 * <p>Siblings are the AMIs of the same image (image key, respin, checksum tags) found in EC2 when the
 * event is handled, grouped by architecture, virtualization type and encryption (an encrypted AMI boots
 * through a KMS grant an unencrypted sibling never exercises). Nothing is held in memory: the choice
 * is made again from EC2's tags on every delivery, so it survives crashes. The rules keep the choice
 * stable while siblings are still being registered one by one:
 * <ol>
 * <li>an AMI with its own verdict re-emits it;</li>
 * <li>else a sibling's recorded verdict is applied (first the AMIs that were booted themselves);</li>
 * <li>else a sibling whose test is in flight is finished (same attempt, same ClientToken: no second instance);</li>
 * <li>else the sibling with the most preferred volume type is booted, lowest AMI id on a tie.</li>
 * </ol>
 * In this mode the consumer keeps the jobs of one image in one lane ({@code JobLanes}), so siblings are handled
 * one after the other and the first one boots the representative for all.
 */
public final class SiblingSelection {

    private SiblingSelection() {
    }

    public enum Action {
        /** This AMI already has a verdict: re-emit it. */
        REUSE_OWN,
        /** Apply the recorded verdict of {@link Choice#target()}. */
        APPLY_SIBLING,
        /** Boot {@link Choice#target()} (this AMI or its representative) and apply the result. */
        TEST
    }

    public record Choice(Action action, AmiFacts target, String why) {
    }

    public static Choice choose(AmiFacts self, List<AmiFacts> candidates, List<String> preferredVolumeTypes) {
        if (self.verdict().isPresent()) {
            return new Choice(Action.REUSE_OWN, self, "verdict already recorded on " + self.amiId());
        }
        List<AmiFacts> group = candidates.stream()
                .filter(a -> a.groupKey().equals(self.groupKey()))
                .filter(a -> !a.amiId().equals(self.amiId()))
                .sorted(Comparator.comparing(AmiFacts::amiId))
                .toList();
        Optional<AmiFacts> judged = group.stream().filter(a -> a.verdict().isPresent())
                .min(Comparator.comparing((AmiFacts a) -> !bootedItself(a)).thenComparing(AmiFacts::amiId));
        if (judged.isPresent()) {
            return new Choice(Action.APPLY_SIBLING, judged.get(), "sibling " + judged.get().amiId() + " ("
                    + judged.get().volumeType() + ") already has a verdict");
        }
        if (self.testInFlight()) {
            return new Choice(Action.TEST, self, "test of " + self.amiId() + " in flight");
        }
        Optional<AmiFacts> inFlight = group.stream().filter(AmiFacts::testInFlight).findFirst();
        if (inFlight.isPresent()) {
            return new Choice(Action.TEST, inFlight.get(), "test of sibling " + inFlight.get().amiId() + " in flight");
        }
        AmiFacts best = java.util.stream.Stream.concat(java.util.stream.Stream.of(self), group.stream())
                .min(Comparator.comparingInt((AmiFacts a) -> rank(a.volumeType(), preferredVolumeTypes))
                        .thenComparing(AmiFacts::amiId))
                .orElse(self);
        return new Choice(Action.TEST, best, best == self ? "representative of " + self.groupKey()
                : "sibling " + best.amiId() + " (" + best.volumeType() + ") represents " + self.groupKey());
    }

    private static boolean bootedItself(AmiFacts a) {
        return a.verdict().map(v -> a.amiId().equals(v.testedAmiId())).orElse(false);
    }

    static int rank(String volumeType, List<String> preferred) {
        int i = preferred.indexOf(volumeType);
        return i < 0 ? preferred.size() : i;
    }
}
