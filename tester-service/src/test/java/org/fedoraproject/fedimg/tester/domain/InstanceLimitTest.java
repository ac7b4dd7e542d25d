package org.fedoraproject.fedimg.tester.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;

import org.fedoraproject.fedimg.tester.domain.InstanceLimit.Alive;
import org.junit.jupiter.api.Test;

class InstanceLimitTest {

    private static final Instant T = Instant.parse("2026-12-07T10:00:00Z");
    private final Alive a = new Alive("i-a", "ami-a", T);
    private final Alive b = new Alive("i-b", "ami-b", T.plusSeconds(1));
    private final Alive c = new Alive("i-c", "ami-c", T.plusSeconds(1));

    @Test
    void roomWhileFewerThanTheLimitAreAlive() {
        assertThat(InstanceLimit.room(List.of(a), "ami-x", 2)).isTrue();
        assertThat(InstanceLimit.room(List.of(a, b), "ami-x", 2)).isFalse();
    }

    @Test
    void anEarlierAttemptForTheSameAmiDoesNotMakeItsRelaunchWait() {
        Alive earlierAttempt = new Alive("i-old", "ami-b", T);
        assertThat(InstanceLimit.room(List.of(a, earlierAttempt), "ami-b", 2)).isTrue();
        assertThat(InstanceLimit.mayProceed(List.of(earlierAttempt, a, b), b, 2)).isTrue();
    }

    @Test
    void ofTwoReplicasThatBothSawRoomOnlyTheLaterLaunchGivesWay() {
        List<Alive> alive = List.of(a, b, c);
        // b and c were launched at once by two replicas that both saw one instance alive; same second: id decides
        assertThat(InstanceLimit.mayProceed(alive, b, 2)).isTrue();
        assertThat(InstanceLimit.mayProceed(alive, c, 2)).isFalse();
        assertThat(InstanceLimit.mayProceed(alive, a, 2)).isTrue();
    }

    @Test
    void theLaunchedInstanceCountsBeforeEc2ListsIt() {
        assertThat(InstanceLimit.mayProceed(List.of(a), b, 2)).isTrue();
        assertThat(InstanceLimit.mayProceed(List.of(a, b), c, 2)).isFalse();
        assertThat(InstanceLimit.mayProceed(List.of(a, c), b, 2)).isTrue();
    }
}
