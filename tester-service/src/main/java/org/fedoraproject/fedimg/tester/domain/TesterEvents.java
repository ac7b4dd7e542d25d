package org.fedoraproject.fedimg.tester.domain;

import java.time.Instant;

import org.fedoraproject.fedimg.events.AmiRegistered;
import org.fedoraproject.fedimg.events.AmiTested;
import org.fedoraproject.fedimg.events.Stage;
import org.fedoraproject.fedimg.events.StageState;
import org.fedoraproject.fedimg.events.StageStatus;
import org.fedoraproject.fedimg.messaging.EventIds;
import org.fedoraproject.fedimg.tester.domain.Excerpts;
import org.fedoraproject.fedimg.tester.domain.TestOutcome;

/**
 * The tester's outgoing events. Ids derive from the input event, the AMI and the attempt: a redelivery
 * re-emits the same ids (consumers deduplicate), while an operator's re-test (a new attempt) gets new ones.
 */
public final class TesterEvents {

    public static final String SERVICE = "tester";

    private TesterEvents() {
    }

    public static AmiTested tested(AmiRegistered in, TestOutcome o, int excerptMax) {
        return new AmiTested(
                EventIds.derived(in.eventId(), "ami.tested", in.ami().amiId(), "attempt-" + o.attempt()),
                in.imageKey(), in.composeId(), in.traceId(), Instant.now(), in.image(), in.ami(),
                o.verdict(), o.exitCode(), o.durationMillis(),
                Excerpts.tail(o.output(), excerptMax), Excerpts.tail(o.console(), excerptMax),
                o.reason(), o.testedAmiId());
    }

    /**
     * The start of the AMI's test, one id whatever the attempt: a tester killed before its instance was up starts a
     * new attempt after the restart and announces the start again, which must be the same message (the bridge sends
     * it once), not a second "image.test started" under another id. The attempt is in the note.
     */
    public static StageStatus started(AmiRegistered in, String testedAmiId, int attempt) {
        String note = testedAmiId.equals(in.ami().amiId()) ? "test instance launching (attempt " + attempt + ")"
                : "testing sibling " + testedAmiId + " (attempt " + attempt + ")";
        return status(in, StageState.STARTED, "started", note, null);
    }

    public static StageStatus finished(AmiRegistered in, TestOutcome o, int excerptMax) {
        StageState state = o.passed() ? StageState.COMPLETED : StageState.FAILED;
        return status(in, state, "attempt-" + o.attempt(), o.reason(),
                o.passed() ? null : Excerpts.tail(o.console(), excerptMax));
    }

    /** A failed stage for input that went to the dead-letter topic after it was understood. */
    public static StageStatus rejected(AmiRegistered in, String reason) {
        return status(in, StageState.FAILED, "rejected", reason, null);
    }

    private static StageStatus status(AmiRegistered in, StageState state, String step, String reason, String console) {
        return new StageStatus(
                EventIds.derived(in.eventId(), "status", Stage.TEST.name(), state.name(), in.ami().amiId(), step),
                in.imageKey(), in.composeId(), in.traceId(), Instant.now(), Stage.TEST, state, SERVICE, in.image(),
                in.ami().region(), in.ami().amiId(), null, in.ami().variant(), reason, null, console);
    }
}
