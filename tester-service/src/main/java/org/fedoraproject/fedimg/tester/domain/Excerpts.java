package org.fedoraproject.fedimg.tester.domain;

import java.util.regex.Pattern;

/**
 * Bounded, printable excerpts of console and script output for events and tags. The tail is kept: the
 * end of a failing script's output is where the error is. Terminal escape sequences and control
 * characters (consoles are full of them) are removed so the JSON stays readable.
 */
public final class Excerpts {

    private static final Pattern ANSI = Pattern.compile("\u001B\\[[0-?]*[ -/]*[@-~]|\u001B[@-Z\\\\-_]");
    private static final Pattern CONTROL = Pattern.compile("[\\x00-\\x08\\x0B-\\x1F\\x7F]");

    private Excerpts() {
    }

    public static String clean(String text) {
        if (text == null) {
            return null;
        }
        String noCr = text.replace("\r\n", "\n").replace('\r', '\n');
        return CONTROL.matcher(ANSI.matcher(noCr).replaceAll("")).replaceAll("");
    }

    /** The last {@code max} characters at most, cut at a line start when one is near, with a note of what was cut. */
    public static String tail(String text, int max) {
        if (text == null) {
            return null;
        }
        String clean = clean(text);
        if (clean.length() <= max) {
            return clean;
        }
        String note = "[... %d earlier characters omitted]\n";
        int budget = Math.max(0, max - note.length() - 8);
        int from = clean.length() - budget;
        int newline = clean.indexOf('\n', from);
        if (newline >= 0 && newline - from < budget / 4) {
            from = newline + 1;
        }
        String head = String.format(note, from);
        String kept = clean.substring(from);
        String out = head + kept;
        return out.length() <= max ? out : out.substring(out.length() - max);
    }
}
