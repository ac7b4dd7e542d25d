package org.fedoraproject.fedimg.tester.domain;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.regex.Pattern;

/**
 * Wraps the configured test script for cloud-init. cloud-final.service sends its output to the journal
 * and the serial console, so what this wrapper prints is what GetConsoleOutput returns. The script rides as
 * base64 (nothing in it can end a here-document or be expanded by the wrapper), is decoded into a file and run
 * by bash as root; its exit code goes into the end marker. The run id, made of the AMI id of an incoming event,
 * must match a strict pattern and is printed single-quoted: no byte of either can run in the wrapper.
 */
public final class UserDataScript {

    private static final Pattern RUN_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    private UserDataScript() {
    }

    public static String wrap(String script, String runId) {
        if (runId == null || !RUN_ID.matcher(runId).matches()) {
            throw new IllegalArgumentException("the run id is not " + RUN_ID + ": " + runId);
        }
        String body = script.endsWith("\n") ? script : script + "\n";
        String encoded = Base64.getMimeEncoder(76, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(body.getBytes(StandardCharsets.UTF_8));
        return "#!/bin/bash\n"
                + "# fedimg test instance: runs the configured test script once and reports on the console.\n"
                + "f=$(mktemp -t fedimg-test.XXXXXX) || f=/run/fedimg-test.sh\n"
                + "base64 -d > \"$f\" <<'FEDIMG_TEST_SCRIPT_BASE64'\n"
                + encoded + "\n"
                + "FEDIMG_TEST_SCRIPT_BASE64\n"
                + "chmod 0700 \"$f\"\n"
                + "echo '" + ConsoleMarkers.begin(runId) + "'\n"
                + "bash \"$f\" </dev/null 2>&1\n"
                + "rc=$?\n"
                + "rm -f \"$f\"\n"
                + "echo '" + ConsoleMarkers.endPrefix(runId) + "'\"$rc\"\n"
                + "exit 0\n";
    }
}
