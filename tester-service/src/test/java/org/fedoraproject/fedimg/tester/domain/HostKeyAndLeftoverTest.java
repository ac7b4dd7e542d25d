package org.fedoraproject.fedimg.tester.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;

class HostKeyAndLeftoverTest {

    @Test
    void fingerprintsAreReadFromCloudInitsBlocksWithPrefixes() {
        byte[] blob = "not a real key but a blob".getBytes();
        String key = Base64.getEncoder().encodeToString(blob);
        String console = "ec2: #############################################################\n"
                + "ec2: -----BEGIN SSH HOST KEY FINGERPRINTS-----\n"
                + "ec2: 256 SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU root@ip-10-0-0-1 (ECDSA)\n"
                + "ec2: -----END SSH HOST KEY FINGERPRINTS-----\n"
                + "-----BEGIN SSH HOST KEY KEYS-----\n"
                + "ssh-ed25519 " + key + " root@ip-10-0-0-1\n"
                + "-----END SSH HOST KEY KEYS-----\n"
                + "SHA256:ZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZZ outside any block\n";
        var found = HostKeyFingerprints.parse(console);
        assertThat(found).containsExactly("SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU",
                HostKeyFingerprints.of(blob));
        assertThat(HostKeyFingerprints.parse("no blocks here")).isEmpty();
    }

    private static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");

    private static Map<String, String> resource(String attempt, String expires) {
        return Map.of(TestTags.TEST_AMI, "ami-1", TestTags.ATTEMPT, attempt, TestTags.EXPIRES_AT, expires);
    }

    @Test
    void leftoversOfAResumableJobAreKept() {
        AmiFacts ami = new AmiFacts("ami-1", "x86_64", "hvm", "gp3", false, Map.of(TestTags.ATTEMPT, "1"));
        assertThat(LeftoverRules.removable(resource("1", "2026-11-25T13:00:00Z"), Optional.of(ami), false, NOW)).isEmpty();
        assertThat(LeftoverRules.removable(resource("1", "2026-11-25T11:00:00Z"), Optional.of(ami), true, NOW)).isEmpty();
    }

    @Test
    void leftoversOfFinishedSupersededExpiredOrOrphanedJobsGo() {
        AmiFacts current2 = new AmiFacts("ami-1", "x86_64", "hvm", "gp3", false, Map.of(TestTags.ATTEMPT, "2"));
        assertThat(LeftoverRules.removable(resource("1", "2026-11-25T13:00:00Z"), Optional.of(current2), false, NOW))
                .hasValueSatisfying(w -> assertThat(w).contains("superseded"));
        AmiFacts judged = new AmiFacts("ami-1", "x86_64", "hvm", "gp3", false,
                ResultMarker.tags(VerdictRules.finished(0, 1, "", "", "ami-1", 1)));
        assertThat(LeftoverRules.removable(resource("1", "2026-11-25T13:00:00Z"), Optional.of(judged), false, NOW))
                .hasValueSatisfying(w -> assertThat(w).contains("verdict"));
        AmiFacts running = new AmiFacts("ami-1", "x86_64", "hvm", "gp3", false, Map.of(TestTags.ATTEMPT, "1"));
        assertThat(LeftoverRules.removable(resource("1", "2026-11-25T11:00:00Z"), Optional.of(running), false, NOW))
                .hasValueSatisfying(w -> assertThat(w).contains("deadline"));
        assertThat(LeftoverRules.removable(resource("1", "2026-11-25T13:00:00Z"), Optional.empty(), false, NOW))
                .hasValueSatisfying(w -> assertThat(w).contains("no longer exists"));
    }
}
