package org.fedoraproject.fedimg.tester.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;

import org.fedoraproject.fedimg.events.AmiRef;
import org.fedoraproject.fedimg.events.AmiRegistered;
import org.fedoraproject.fedimg.events.AmiVariant;
import org.fedoraproject.fedimg.events.ImageSpec;
import org.junit.jupiter.api.Test;

/** The ids of the tester's events: derived, so a rerun after a crash repeats them instead of adding new ones. */
class TesterEventsTest {

    static final ImageSpec IMAGE = new ImageSpec("https://example.org/c/Fedora-Cloud-Base-41-1.4.x86_64.raw.xz",
            "Fedora-Cloud-Base-41-1.4.x86_64.raw.xz", "Fedora-Cloud-Base-41-1.4.x86_64", "a".repeat(64), 1L, "x86_64",
            "41", "production", "Cloud", "Cloud_Base", 0);
    static final AmiRegistered REGISTERED = new AmiRegistered("registered-1", "c/" + IMAGE.fileName(), "c", "trace-1",
            Instant.now(), IMAGE, new AmiRef("us-east-1", "ami-0abc", "name", "snap-0abc", "x86_64",
                    new AmiVariant("hvm", "gp3", false), null, List.of(), true));

    @Test
    void theStartOfATestIsOneMessageWhicheverAttemptAnnouncesIt() {
        // attempt 1 died with the tester before its instance was up; attempt 2 announces the start again
        var first = TesterEvents.started(REGISTERED, "ami-0abc", 1);
        var again = TesterEvents.started(REGISTERED, "ami-0abc", 2);
        assertThat(again.eventId()).isEqualTo(first.eventId());
        assertThat(again.reason()).contains("attempt 2");
        assertThat(TesterEvents.started(REGISTERED, "ami-0abc", 1).eventId()).as("derived, not random")
                .isEqualTo(first.eventId());
    }
}
