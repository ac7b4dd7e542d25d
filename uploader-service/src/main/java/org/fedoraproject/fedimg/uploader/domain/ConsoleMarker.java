package org.fedoraproject.fedimg.uploader.domain;

import java.util.Optional;

/** Reads the utility script's marker line out of an instance console. */
public record ConsoleMarker(boolean success, String code, String detail) {

    /** The last marker line in the console, if the script got that far. */
    public static Optional<ConsoleMarker> find(String console, String marker) {
        if (console == null) {
            return Optional.empty();
        }
        String[] lines = console.split("\r?\n");
        for (int i = lines.length - 1; i >= 0; i--) {
            String line = lines[i].trim();
            int at = line.indexOf(marker + " ");
            // "echo ... $MARK ..." lines of a shell trace are not markers: the marker starts the output line
            if (at != 0) {
                continue;
            }
            String rest = line.substring(marker.length() + 1).trim();
            if (rest.startsWith("SUCCESS")) {
                return Optional.of(new ConsoleMarker(true, "SUCCESS", rest.substring(7).trim()));
            }
            if (rest.startsWith("FAILED")) {
                String body = rest.substring(6).trim();
                int sp = body.indexOf(' ');
                return Optional.of(new ConsoleMarker(false, sp < 0 ? body : body.substring(0, sp),
                        sp < 0 ? "" : body.substring(sp + 1)));
            }
        }
        return Optional.empty();
    }

    /** The last {@code maxChars} of a console, so a failed status stays small. */
    public static String excerpt(String console, int maxChars) {
        if (console == null) {
            return "";
        }
        return console.length() <= maxChars ? console : "…" + console.substring(console.length() - maxChars);
    }
}
