package org.fedoraproject.fedimg.bridge.compose;

import java.util.List;
import java.util.Locale;

import org.fedoraproject.fedimg.bridge.domain.ReleaseNames;

/**
 * Where a compose lives: candidate locations for a bare compose id, and the metadata mirror rewrites
 * ({@code <prefix>=><replacement>}) applied before fetching.
 */
public final class ComposeLocations {

    private final List<String> templates;
    private final List<String[]> rewrites;

    public ComposeLocations(List<String> templates, List<String> rewrites) {
        this.templates = List.copyOf(templates);
        this.rewrites = rewrites.stream().map(r -> {
            int arrow = r.indexOf("=>");
            if (arrow <= 0) {
                throw new IllegalArgumentException("metadata rewrite '" + r + "' is not <prefix>=><replacement>");
            }
            return new String[] { r.substring(0, arrow).trim(), r.substring(arrow + 2).trim() };
        }).toList();
    }

    /** Candidate compose locations ({@code .../compose}) for a compose id, in the configured order. */
    public List<String> candidates(String composeId) {
        String release = ReleaseNames.fromComposeId(composeId);
        return templates.stream()
                .filter(t -> release != null || !t.contains("{release}"))
                .map(t -> t.replace("{composeId}", composeId)
                        .replace("{release}", release == null ? "" : release.toLowerCase(Locale.ROOT)))
                .distinct().toList();
    }

    /** The URL of images.json under a compose location, after mirror rewrites. */
    public String imagesJsonUrl(String location) {
        String base = location.endsWith("/") ? location.substring(0, location.length() - 1) : location;
        return rewrite(base + "/metadata/images.json");
    }

    public String rewrite(String url) {
        for (String[] r : rewrites) {
            if (url.startsWith(r[0])) {
                return r[1] + url.substring(r[0].length());
            }
        }
        return url;
    }
}
