package org.fedoraproject.fedimg.uploader.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import org.fedoraproject.fedimg.events.AmiRef;
import org.fedoraproject.fedimg.events.AmiVariant;
import org.fedoraproject.fedimg.events.ImageReady;
import org.fedoraproject.fedimg.events.Stage;
import org.fedoraproject.fedimg.events.StageState;
import org.junit.jupiter.api.Test;

class UploadEventsTest {

    private static final ImageReady IN = new ImageReady("ev-1", "C-1/f.raw.xz", "C-1", "trace-1",
            Instant.parse("2026-01-01T00:00:00Z"), RegistrationSpecTest.image("x86_64"), false, "msg-1");
    private final UploadEvents events = new UploadEvents(IN, "us-east-1",
            Clock.fixed(Instant.parse("2026-01-02T00:00:00Z"), ZoneOffset.UTC));
    private final AmiVariant gp3 = new AmiVariant("hvm", "gp3", false);
    private final AmiVariant standard = new AmiVariant("hvm", "standard", false);

    @Test
    void idsAreDerivedSoARedeliveryProducesTheSameIds() {
        UploadEvents again = new UploadEvents(IN, "us-east-1", Clock.systemUTC());
        assertThat(events.started(gp3).eventId()).isEqualTo(again.started(gp3).eventId());
        assertThat(events.started(gp3).eventId()).isNotEqualTo(events.started(standard).eventId());
        assertThat(events.started(gp3).eventId()).isNotEqualTo(events.failed(gp3, "x", null).eventId());
        AmiRef ami = new AmiRef("us-east-1", "ami-1", "n", "snap-1", "x86_64", gp3, null, List.of(), true);
        assertThat(events.registered(ami).eventId()).isEqualTo(again.registered(ami).eventId());
    }

    @Test
    void statusCarriesTheOriginalFedimgFields() {
        AmiRef ami = new AmiRef("us-east-1", "ami-1", "n", "snap-1", "x86_64", gp3, null, List.of(), true);
        var s = events.completed(ami);
        assertThat(s.stage()).isEqualTo(Stage.UPLOAD);
        assertThat(s.state()).isEqualTo(StageState.COMPLETED);
        assertThat(s.service()).isEqualTo("uploader");
        assertThat(s.region()).isEqualTo("us-east-1");
        assertThat(s.amiId()).isEqualTo("ami-1");
        assertThat(s.variant()).isEqualTo(gp3);
        assertThat(s.image()).isEqualTo(IN.image());
        assertThat(s.composeId()).isEqualTo("C-1");
        assertThat(s.traceId()).isEqualTo("trace-1");
    }
}
