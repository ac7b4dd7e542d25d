package org.fedoraproject.fedimg.cli.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.fedoraproject.fedimg.messaging.EventJson;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What the pungi FINISHED message says about a compose, read from its productmd metadata: {@code images.json}
 * (id, date, type, respin) and, where the compose has one, {@code composeinfo.json} (release name and version);
 * without it the release version comes from the compose id, as pungi builds the id from it.
 */
public record ComposeMetadata(String composeId, String date, String type, int respin, String releaseShort,
        String release) {

    /** {@code <short>-<version>-<yyyymmdd>[.n|.t].<respin>}, as pungi names composes. */
    private static final Pattern COMPOSE_ID = Pattern.compile("^(?<short>.+)-(?<version>[^-]+)-(?<date>\\d{8})(\\.[nt])?\\.\\d+$");

    /**
     * @param imagesJson      {@code metadata/images.json}
     * @param composeInfoJson {@code metadata/composeinfo.json}, or null where the compose has none
     */
    public static ComposeMetadata parse(byte[] imagesJson, byte[] composeInfoJson) {
        JsonNode compose = read(imagesJson, "images.json").at("/payload/compose");
        String id = compose.path("id").asText(null);
        if (id == null || id.isBlank()) {
            throw new IllegalArgumentException("images.json has no payload.compose.id: not productmd images metadata");
        }
        Matcher m = COMPOSE_ID.matcher(id);
        String releaseShort = m.matches() ? m.group("short") : null;
        String release = m.matches() ? m.group("version") : null;
        if (composeInfoJson != null) {
            JsonNode info = read(composeInfoJson, "composeinfo.json").at("/payload/release");
            releaseShort = info.path("short").asText(releaseShort);
            release = info.path("version").asText(release);
        }
        String date = compose.path("date").asText(m.matches() ? m.group("date") : null);
        return new ComposeMetadata(id, date, compose.path("type").asText("production"), compose.path("respin").asInt(0),
                releaseShort, release);
    }

    /** The pungi message that announces this compose, at {@code location}, as finished (fedora-messaging body). */
    public Map<String, Object> finishedMessageBody(String location) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("compose_id", composeId);
        body.put("compose_date", date);
        body.put("compose_type", type);
        body.put("compose_respin", respin);
        body.put("compose_label", null);
        body.put("location", location);
        body.put("release_short", releaseShort);
        body.put("release_name", releaseShort);
        body.put("release_version", release);
        body.put("release_type", "ga");
        body.put("release_is_layered", false);
        body.put("status", "FINISHED");
        return body;
    }

    /** Rawhide and other releases without a number ({@code successor messages need one}). */
    public boolean releaseIsNumeric() {
        return release != null && release.matches("\\d+");
    }

    private static JsonNode read(byte[] json, String what) {
        try {
            return EventJson.MAPPER.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException("the compose's " + what + " is not JSON: " + e.getMessage(), e);
        }
    }
}
