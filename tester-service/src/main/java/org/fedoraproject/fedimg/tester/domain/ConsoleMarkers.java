package org.fedoraproject.fedimg.tester.domain;

import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The markers the user-data wrapper prints around the test script, and how they are found again in a
 * console. Each run has its own id in the markers, so an older run's output on a reused console, or a
 * script that happens to print the word "FEDIMG", cannot be mistaken for this run's result.
 */
public final class ConsoleMarkers {

    static final String BEGIN = "FEDIMG-TEST-BEGIN";
    static final String END = "FEDIMG-TEST-END";

    private ConsoleMarkers() {
    }

    public static String begin(String runId) {
        return BEGIN + " " + runId;
    }

    /** The end line without the exit code; the wrapper appends {@code exit=<code>}. */
    public static String endPrefix(String runId) {
        return END + " " + runId + " exit=";
    }

    /**
     * What the console says about one run: whether it began, its exit code once it ended, and the output
     * in between. Output before the begin marker has scrolled out of {@code Latest} when the script
     * printed more than the console keeps; then everything up to the end marker is taken.
     */
    public static ScriptRun parse(String console, String runId) {
        if (console == null || console.isEmpty()) {
            return ScriptRun.NOT_STARTED;
        }
        String text = console.replace("\r\n", "\n").replace('\r', '\n');
        Matcher begin = Pattern.compile("(?m)^.*?" + Pattern.quote(begin(runId)) + "[ \\t]*$").matcher(text);
        int outputStart = begin.find() ? begin.end() + 1 : -1;
        Matcher end = Pattern.compile("(?m)^(.*?)" + Pattern.quote(endPrefix(runId)) + "(-?\\d{1,5})[ \\t]*$")
                .matcher(text);
        int from = Math.max(outputStart, 0);
        boolean endFound = false;
        int exit = 0;
        int endStart = -1;
        while (end.find()) {
            if (end.start() >= from || outputStart < 0) {
                endFound = true;
                exit = Integer.parseInt(end.group(2));
                endStart = end.start();
                break;
            }
        }
        if (outputStart < 0 && !endFound) {
            return ScriptRun.NOT_STARTED;
        }
        int outputFrom = outputStart < 0 ? 0 : Math.min(outputStart, text.length());
        int outputTo = endFound ? endStart : text.length();
        String output = outputTo > outputFrom ? text.substring(outputFrom, outputTo) : "";
        return new ScriptRun(true, endFound ? OptionalInt.of(exit) : OptionalInt.empty(), output);
    }

    /** @param exitCode present once the end marker was seen */
    public record ScriptRun(boolean started, OptionalInt exitCode, String output) {
        public static final ScriptRun NOT_STARTED = new ScriptRun(false, OptionalInt.empty(), "");

        public boolean finished() {
            return exitCode.isPresent();
        }
    }
}
