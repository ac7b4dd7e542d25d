package org.fedoraproject.fedimg.tester.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

class ExcerptsTest {

    @Test
    void shortTextIsKeptButCleaned() {
        assertThat(Excerpts.tail("\u001B[0;32m  OK  \u001B[0m done\r\nbell\u0007\n", 100)).isEqualTo("  OK   done\nbell\n");
        assertThat(Excerpts.tail(null, 10)).isNull();
    }

    @Test
    void longTextKeepsTheTailWithinTheBoundAndSaysWhatWasCut() {
        String text = IntStream.range(0, 5000).mapToObj(i -> "line " + i).collect(Collectors.joining("\n")) + "\n";
        String excerpt = Excerpts.tail(text, 500);
        assertThat(excerpt.length()).isLessThanOrEqualTo(500);
        assertThat(excerpt).startsWith("[... ").contains("earlier characters omitted]");
        assertThat(excerpt).endsWith("line 4999\n");
        // cut at a line start, not mid-line
        assertThat(excerpt.lines().skip(1).findFirst().orElseThrow()).startsWith("line ");
    }

    @Test
    void aSingleHugeLineIsStillBounded() {
        String excerpt = Excerpts.tail("y".repeat(100_000), 300);
        assertThat(excerpt.length()).isLessThanOrEqualTo(300);
        assertThat(excerpt).endsWith("yyy");
    }
}
