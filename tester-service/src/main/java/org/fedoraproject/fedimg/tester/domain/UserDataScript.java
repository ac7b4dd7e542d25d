package org.fedoraproject.fedimg.tester.domain;

/**
 * Wraps the configured test script for cloud-init. cloud-final.service sends its output to the journal
 * and the serial console, so what this wrapper prints is what GetConsoleOutput returns. The script is
 * written to a file through a quoted here-document (no expansion) whose delimiter carries the run id,
 * then run by bash as root; its exit code goes into the end marker.
 */
public final class UserDataScript {

    private UserDataScript() {
    }

    public static String wrap(String script, String runId) {
        String delimiter = "FEDIMG_TEST_SCRIPT_" + runId.replaceAll("[^A-Za-z0-9]", "_");
        if (script.contains(delimiter)) {
            throw new IllegalArgumentException("the test script contains the here-document delimiter " + delimiter);
        }
        String body = script.endsWith("\n") ? script : script + "\n";
        return "#!/bin/bash\n"
                + "# fedimg test instance: runs the configured test script once and reports on the console.\n"
                + "f=$(mktemp -t fedimg-test.XXXXXX) || f=/run/fedimg-test.sh\n"
                + "cat > \"$f\" <<'" + delimiter + "'\n"
                + body
                + delimiter + "\n"
                + "chmod 0700 \"$f\"\n"
                + "echo \"" + ConsoleMarkers.begin(runId) + "\"\n"
                + "bash \"$f\" </dev/null 2>&1\n"
                + "rc=$?\n"
                + "rm -f \"$f\"\n"
                + "echo \"" + ConsoleMarkers.endPrefix(runId) + "$rc\"\n"
                + "exit 0\n";
    }
}
