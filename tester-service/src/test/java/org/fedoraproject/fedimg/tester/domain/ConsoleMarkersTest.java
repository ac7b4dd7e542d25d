package org.fedoraproject.fedimg.tester.domain;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ConsoleMarkersTest {

    private static final String RUN = "ami-0123456789abcdef0-a1";

    @Test
    void emptyConsoleHasNotStarted() {
        assertThat(ConsoleMarkers.parse("", RUN).started()).isFalse();
        assertThat(ConsoleMarkers.parse(null, RUN).finished()).isFalse();
    }

    @Test
    void finishedRunGivesExitCodeAndOnlyTheOutputBetweenMarkers() {
        String console = "[    0.000000] Linux version 6.11\r\ncloud-init[812]: boot noise\n"
                + "FEDIMG-TEST-BEGIN " + RUN + "\n"
                + "checking network\nerror: no route\n"
                + "FEDIMG-TEST-END " + RUN + " exit=3\n"
                + "[  OK  ] Finished cloud-final.service\n";
        var run = ConsoleMarkers.parse(console, RUN);
        assertThat(run.started()).isTrue();
        assertThat(run.exitCode()).hasValue(3);
        assertThat(run.output()).isEqualTo("checking network\nerror: no route\n");
    }

    @Test
    void startedButNotFinishedKeepsTheOutputSoFar() {
        var run = ConsoleMarkers.parse("FEDIMG-TEST-BEGIN " + RUN + "\nstep 1\n", RUN);
        assertThat(run.started()).isTrue();
        assertThat(run.finished()).isFalse();
        assertThat(run.output()).isEqualTo("step 1\n");
    }

    @Test
    void markersOfAnotherRunAreIgnored() {
        String console = "FEDIMG-TEST-BEGIN ami-1-a1\nold\nFEDIMG-TEST-END ami-1-a1 exit=0\n";
        assertThat(ConsoleMarkers.parse(console, "ami-1-a2").started()).isFalse();
        assertThat(ConsoleMarkers.parse(console, "ami-1-a2").finished()).isFalse();
    }

    @Test
    void prefixedConsoleLinesAreAccepted() {
        String console = "cloud-init[900]: FEDIMG-TEST-BEGIN " + RUN + "\ncloud-init[900]: ok\n"
                + "cloud-init[900]: FEDIMG-TEST-END " + RUN + " exit=0\n";
        var run = ConsoleMarkers.parse(console, RUN);
        assertThat(run.exitCode()).hasValue(0);
        assertThat(run.output()).contains("ok");
    }

    @Test
    void beginScrolledOutOfLatestStillGivesTheResultAndTheTail() {
        String console = "...line 9998\nline 9999\nFEDIMG-TEST-END " + RUN + " exit=1\n";
        var run = ConsoleMarkers.parse(console, RUN);
        assertThat(run.started()).isTrue();
        assertThat(run.exitCode()).hasValue(1);
        assertThat(run.output()).endsWith("line 9999\n");
    }

    @Test
    void anEndMarkerEchoedWithoutACodeDoesNotCount() {
        String console = "FEDIMG-TEST-BEGIN " + RUN + "\n+ echo 'FEDIMG-TEST-END " + RUN + " exit=$rc'\n";
        assertThat(ConsoleMarkers.parse(console, RUN).finished()).isFalse();
    }

    @Test
    void wrapperCarriesTheScriptAsBase64AndReportsTheExitCode() {
        String script = "#!/bin/bash\necho \"$HOME ${x} `id`\"\nexit 3";
        String wrapped = UserDataScript.wrap(script, RUN);
        assertThat(wrapped).startsWith("#!/bin/bash\n");
        assertThat(wrapped).doesNotContain("`id`").doesNotContain("$HOME");
        String b64 = wrapped.substring(wrapped.indexOf("<<'FEDIMG_TEST_SCRIPT_BASE64'\n") + 30,
                wrapped.indexOf("\nFEDIMG_TEST_SCRIPT_BASE64\n"));
        assertThat(new String(java.util.Base64.getMimeDecoder().decode(b64), java.nio.charset.StandardCharsets.UTF_8))
                .isEqualTo(script + "\n");
        assertThat(wrapped).contains("echo 'FEDIMG-TEST-BEGIN " + RUN + "'");
        assertThat(wrapped).contains("echo 'FEDIMG-TEST-END " + RUN + " exit='\"$rc\"");
    }

    /** A script that tries to end the here-document or break out of the wrapper runs as written, nothing more. */
    @Test
    void hostileScriptsRunVerbatimAndNothingElse(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        String script = "echo \"one '\" ; echo 'two \"' \necho $((6*7)) `echo three`\n"
                + "FEDIMG_TEST_SCRIPT_BASE64\ntouch " + dir.resolve("pwned") + "\n"
                + "printf 'nul:%s\\n' \"$(printf 'a\\0b' | od -An -c | tr -s ' ')\"\nexit 4\n";
        Process p = new ProcessBuilder("bash", "-c", UserDataScript.wrap(script, RUN)).directory(dir.toFile())
                .redirectErrorStream(true).start();
        String console = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).isZero();
        var run = ConsoleMarkers.parse(console, RUN);
        assertThat(run.exitCode()).as(console).hasValue(4);
        // the script itself ran the line "FEDIMG_TEST_SCRIPT_BASE64" (a command not found) and its touch: the
        // wrapper's here-document was not ended early, so everything happened inside the script
        assertThat(run.output()).contains("one '", "two \"", "42 three", "nul: a \\0 b");
        assertThat(console.indexOf("FEDIMG-TEST-BEGIN")).isLessThan(console.indexOf("one '"));
    }

    @Test
    void runIdsThatAreNotPlainNamesAreRefused() {
        for (String id : new String[] { "ami-1'; reboot; '", "ami-$(reboot)", "ami-`id`", "ami-1\nreboot", "",
                "ami-1\u0000", "ami 1", "-rf" }) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> UserDataScript.wrap("exit 0", id)).as(id)
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void theWrappedScriptRunsUnderBashAndItsResultParses() throws Exception {
        String script = "echo \"checking $((1+2)) things\"\necho oops >&2\nexit 3\n";
        Process p = new ProcessBuilder("bash", "-c", UserDataScript.wrap(script, RUN)).redirectErrorStream(true).start();
        String console = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).isZero();
        var run = ConsoleMarkers.parse(console, RUN);
        assertThat(run.exitCode()).hasValue(3);
        assertThat(run.output()).isEqualTo("checking 3 things\noops\n");
    }
}
