package org.fedoraproject.fedimg.bridge.domain;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Release and compose facts read from pungi compose ids such as {@code Fedora-Cloud-41-20240911.0}. */
public final class ReleaseNames {

    // <short>-<version>-<yyyymmdd>.<type letter>.<n> where the type letter is absent for production composes
    private static final Pattern COMPOSE_ID = Pattern.compile("^(?<short>.+)-(?<version>[^-]+)-(?<date>\\d{8})"
            + "(?<type>\\.[nt])?\\.(?<respin>\\d+)$");
    // ".x86_64." before Fedora 40 (Fedora-Cloud-Base-39-1.5.x86_64.raw.xz), ".x86_64-" since
    // (Fedora-Cloud-Base-AmazonEC2.x86_64-41-1.4.raw.xz)
    private static final Pattern FILE_ARCH = Pattern.compile("\\.(x86_64|aarch64|ppc64le|ppc64|s390x|armhfp)[.-]");
    private static final Pattern FILE_RELEASE = Pattern.compile("-(\\d+|[Rr]awhide)-[^-]+\\.[^.]+\\.raw\\.xz$");

    private ReleaseNames() {
    }

    /** The version part of a compose id ({@code 28}, {@code Rawhide}), or null if it is not a pungi id. */
    public static String fromComposeId(String composeId) {
        Matcher m = composeId == null ? null : COMPOSE_ID.matcher(composeId);
        return m != null && m.matches() ? m.group("version") : null;
    }

    /** The compose type implied by a compose id: nightly (.n.), test (.t.) or production. */
    public static String composeTypeFromId(String composeId) {
        Matcher m = composeId == null ? null : COMPOSE_ID.matcher(composeId);
        if (m == null || !m.matches()) {
            return null;
        }
        String type = m.group("type");
        return type == null ? "production" : ".n".equals(type) ? "nightly" : "test";
    }

    public static boolean isComposeId(String s) {
        return s != null && COMPOSE_ID.matcher(s).matches();
    }

    /**
     * Arch from an image file name, old ({@code Fedora-Cloud-Base-39-1.5.x86_64.raw.xz}) or Fedora 40+
     * ({@code Fedora-Cloud-Base-AmazonEC2.x86_64-41-1.4.raw.xz}), or null.
     */
    public static String archFromFileName(String fileName) {
        Matcher m = FILE_ARCH.matcher(fileName);
        String arch = null;
        while (m.find()) {
            arch = m.group(1);
        }
        return arch;
    }

    /** Release from an image file name ({@code Fedora-Cloud-Base-AmazonEC2-41-1.4.x86_64.raw.xz} → 41), or null. */
    public static String releaseFromFileName(String fileName) {
        Matcher m = FILE_RELEASE.matcher(fileName);
        return m.find() ? m.group(1) : null;
    }

    /** The file name without {@code .raw.xz}, as AMI names use it. */
    public static String imageName(String fileName) {
        return fileName.endsWith(".raw.xz") ? fileName.substring(0, fileName.length() - ".raw.xz".length()) : fileName;
    }

    public static String lastSegment(String pathOrUrl) {
        String s = pathOrUrl;
        int q = s.indexOf('?');
        if (q >= 0) {
            s = s.substring(0, q);
        }
        return s.substring(s.lastIndexOf('/') + 1);
    }
}
