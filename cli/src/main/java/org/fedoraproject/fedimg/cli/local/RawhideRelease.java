package org.fedoraproject.fedimg.cli.local;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The release number that successor messages ({@code fedora_image_uploader.published.v1.aws}, whose
 * {@code release} is an integer) give images of a release without one: Rawhide. The bridge takes it from
 * {@code fedimg.bridge.outbound.successor.rawhide-release} and sends no successor message without it.
 *
 * <p>A Rawhide compose names itself "Rawhide" in its id, messages, images.json and composeinfo.json; only its
 * packages carry the number: {@code fedora-release} is versioned with it. So local mode takes, in this order:
 * {@code --rawhide-release}, the key in {@code --config}, the version of the {@code fedora-release} source package
 * in the compose's {@code metadata/rpms.json}.
 */
public record RawhideRelease(Optional<Integer> number, String source) {

    public static final String CONFIG_KEY = "fedimg.bridge.outbound.successor.rawhide-release";
    static final String RPMS_JSON = "metadata/rpms.json";
    /** The srpm key of productmd's rpms.json, {@code "fedora-release-0:44-0.5.src"}; not fedora-release-common. */
    private static final Pattern FEDORA_RELEASE = Pattern.compile("\"fedora-release-(?:\\d+:)?(\\d+)-[^\"]*\\.src\"");
    /** rpms.json of a whole Rawhide compose is around 100 MB; the srpm comes early in the first variant. */
    static final long MAX_SCAN_BYTES = 256L << 20;

    public static RawhideRelease resolve(Integer option, Map<String, String> userConfig, ComposeSource compose) {
        if (option != null) {
            return new RawhideRelease(Optional.of(option), "--rawhide-release");
        }
        String configured = userConfig.get(CONFIG_KEY);
        if (configured != null && !configured.isBlank()) {
            return new RawhideRelease(Optional.of(Integer.valueOf(configured.trim())), "--config " + CONFIG_KEY);
        }
        try {
            Optional<InputStream> rpms = compose.read(RPMS_JSON);
            if (rpms.isEmpty()) {
                return new RawhideRelease(Optional.empty(), "the compose has no " + RPMS_JSON);
            }
            try (InputStream in = rpms.get()) {
                OptionalInt found = fromRpmsJson(in, MAX_SCAN_BYTES);
                return found.isPresent()
                        ? new RawhideRelease(Optional.of(found.getAsInt()), "fedora-release in the compose's " + RPMS_JSON)
                        : new RawhideRelease(Optional.empty(), "no fedora-release source package in " + RPMS_JSON);
            }
        } catch (IOException | RuntimeException e) {
            return new RawhideRelease(Optional.empty(), "reading the compose's " + RPMS_JSON + " failed: " + e.getMessage());
        }
    }

    /** The version of the first {@code fedora-release} source package, reading at most {@code maxBytes}. */
    static OptionalInt fromRpmsJson(InputStream json, long maxBytes) throws IOException {
        Reader in = new InputStreamReader(json, StandardCharsets.UTF_8);
        char[] chunk = new char[1 << 16];
        StringBuilder window = new StringBuilder();
        long read = 0;
        for (int n; read < maxBytes && (n = in.read(chunk)) > 0; read += n) {
            window.append(chunk, 0, n);
            Matcher m = FEDORA_RELEASE.matcher(window);
            if (m.find()) {
                return OptionalInt.of(Integer.parseInt(m.group(1)));
            }
            // keep a tail as long as any key the pattern can match, for a key split between two chunks
            window.delete(0, Math.max(0, window.length() - 512));
        }
        return OptionalInt.empty();
    }
}
