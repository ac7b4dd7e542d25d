package org.fedoraproject.fedimg.tester.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;

class TestAttemptsTest {

    @Test
    void onlyAnInstanceOfAnEarlierAttemptIsReplacedByTheNext() {
        assertThat(TestAttempts.earlier("1", 2)).isTrue();
        assertThat(TestAttempts.earlier("2", 2)).as("the same attempt: the launch gets it back").isFalse();
        assertThat(TestAttempts.earlier("3", 2)).as("another tester's later attempt").isFalse();
    }

    @Test
    void anInstanceWithoutAReadableAttemptIsLeftToTheSweep() {
        assertThat(TestAttempts.earlier(null, 2)).isFalse();
        assertThat(TestAttempts.earlier("one", 2)).isFalse();
    }

    @Test
    void theCurrentAttemptIsTheAmisTag() {
        assertThat(TestAttempts.current(Map.of())).isZero();
        assertThat(TestAttempts.current(Map.of(TestTags.ATTEMPT, "3"))).isEqualTo(3);
        assertThat(TestAttempts.current(Map.of(TestTags.ATTEMPT, "x"))).isZero();
    }
}
