package org.fedoraproject.fedimg.tester.domain;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import org.fedoraproject.fedimg.events.TestVerdict;

/**
 * The verdict as tags on the AMI. Written before the events go out, so a redelivered event (or a
 * restart after a crash between writing and emitting) re-emits the same verdict instead of booting
 * the AMI again. Excerpts do not fit in tags; they are recovered from the console while the test
 * instance still exists, and are otherwise in the first AmiTested event with the same event id.
 */
public final class ResultMarker {

    private ResultMarker() {
    }

    public static Map<String, String> tags(TestOutcome o) {
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put(TestTags.VERDICT, o.passed() ? "passed" : "failed");
        tags.put(TestTags.REASON_CODE, o.reasonCode());
        tags.put(TestTags.REASON, TestTags.fit(o.reason()));
        tags.put(TestTags.EXIT_CODE, o.exitCode() == null ? "none" : String.valueOf(o.exitCode()));
        tags.put(TestTags.DURATION_MS, String.valueOf(o.durationMillis()));
        tags.put(TestTags.TESTED_AMI, o.testedAmiId());
        tags.put(TestTags.VERDICT_ATTEMPT, String.valueOf(o.attempt()));
        return tags;
    }

    /**
     * The recorded outcome, if the AMI carries a complete, well-formed verdict. A half-written or
     * hand-edited marker is treated as absent, so the AMI is tested again rather than trusted.
     */
    public static Optional<TestOutcome> read(Map<String, String> tags) {
        String verdict = tags.get(TestTags.VERDICT);
        if (!"passed".equals(verdict) && !"failed".equals(verdict)) {
            return Optional.empty();
        }
        try {
            String code = tags.get(TestTags.REASON_CODE);
            FailureKind failure = code == null || code.equals("passed") ? null : FailureKind.ofCode(code);
            boolean passed = verdict.equals("passed");
            if (passed != (failure == null)) {
                return Optional.empty();
            }
            String exit = tags.getOrDefault(TestTags.EXIT_CODE, "none");
            Integer exitCode = exit.equals("none") ? null : Integer.valueOf(exit);
            long duration = Long.parseLong(tags.getOrDefault(TestTags.DURATION_MS, "0"));
            // verdicts recorded before the verdict's attempt had a tag of its own kept it in the attempt marker
            int attempt = Integer.parseInt(tags.getOrDefault(TestTags.VERDICT_ATTEMPT,
                    tags.getOrDefault(TestTags.ATTEMPT, "0")));
            String tested = tags.get(TestTags.TESTED_AMI);
            if (tested == null || tested.isBlank()) {
                return Optional.empty();
            }
            return Optional.of(new TestOutcome(passed ? TestVerdict.PASSED : TestVerdict.FAILED, failure, exitCode,
                    duration, null, null, tags.getOrDefault(TestTags.REASON, ""), tested, attempt));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
