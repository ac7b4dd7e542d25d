package org.fedoraproject.fedimg.cli.janitor;

import java.time.Duration;

/** Short human ages for tables and reasons: {@code 45s}, {@code 7h12m}, {@code 3d4h}. */
final class Ages {

    private Ages() {
    }

    static String format(Duration d) {
        if (d.isNegative()) {
            // Created after the reference time: clock skew between AWS and us, or a --now in the past.
            return "0s";
        }
        long s = d.getSeconds();
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return (s / 60) + "m" + (s % 60 == 0 ? "" : (s % 60) + "s");
        }
        if (s < 86400) {
            return (s / 3600) + "h" + ((s % 3600) / 60 == 0 ? "" : ((s % 3600) / 60) + "m");
        }
        return (s / 86400) + "d" + ((s % 86400) / 3600 == 0 ? "" : ((s % 86400) / 3600) + "h");
    }
}
