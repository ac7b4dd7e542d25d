package org.fedoraproject.fedimg.bridge.fedmsg;

import static org.assertj.core.api.Assertions.assertThat;

import org.fedoraproject.fedimg.messaging.EventJson;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Expected strings were produced by CPython 3 ({@code repr}, {@code json.dumps(..., sort_keys=True, separators=(',', ':'))}). */
class CanonicalJsonTest {

    @ParameterizedTest
    @CsvSource({
            "1504643075.0, 1504643075.0",
            "1e16, 1e+16",
            "1.5e-05, 1.5e-05",
            "0.0001, 0.0001",
            "123456789012345678.0, 1.2345678901234568e+17",
            "0.1, 0.1",
            "0.3333333333333333, 0.3333333333333333",
            "2.5e-320, 2.5e-320",
            "1e22, 1e+22",
            "9007199254740993.0, 9007199254740992.0",
            "-0.0, -0.0",
            "1371498303.125771, 1371498303.125771",
            "5e-324, 5e-324",
            "1.7976931348623157e308, 1.7976931348623157e+308",
            "100.0, 100.0",
            "1234567890123456.7, 1234567890123456.8",
            "-2.5, -2.5" })
    void floatsAreWrittenLikePythonRepr(double value, String python) {
        assertThat(CanonicalJson.pythonFloat(value)).isEqualTo(python);
    }

    @Test
    void sortsByCodePointAndEscapesLikeEnsureAscii() throws Exception {
        String json = "{\"b\":[1,2.0,\"\u00e9\u2028/\\\"\\\\\\n\u007f\"],\"a\":{\"z\":null,\"y\":true},"
                + "\"\\ud83d\\ude00\":1,\"\\uffff\":2}";
        assertThat(CanonicalJson.string(EventJson.MAPPER.readTree(json))).isEqualTo(
                "{\"a\":{\"y\":true,\"z\":null},\"b\":[1,2.0,\"\\u00e9\\u2028/\\\"\\\\\\n\\u007f\"],"
                        + "\"\\uffff\":2,\"\\ud83d\\ude00\":1}");
    }

    @Test
    void pythonDumpsKeepsOrderWithDefaultSeparators() throws Exception {
        assertThat(CanonicalJson.pythonDumps(EventJson.MAPPER.readTree("{\"z\":1,\"a\":[true,null,\"x\"]}")))
                .isEqualTo("{\"z\": 1, \"a\": [true, null, \"x\"]}");
    }

    @Test
    void bigIntegersStayExact() throws Exception {
        assertThat(CanonicalJson.string(EventJson.MAPPER.readTree("{\"n\":123456789012345678901234567890}")))
                .isEqualTo("{\"n\":123456789012345678901234567890}");
    }
}
