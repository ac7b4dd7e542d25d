package org.fedoraproject.fedimg.bridge.domain;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import org.fedoraproject.fedimg.errors.BadInputException;
import org.fedoraproject.fedimg.events.DeadLetterReason;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * productmd {@code images.json} (header.type {@code productmd.images}, version 1.x), parsed strictly enough
 * that a broken file is a clear {@link DeadLetterReason#METADATA_INVALID} instead of a half-read compose.
 */
public record ProductmdImages(String composeId, String composeType, String composeDate, List<ComposeImage> images) {

    public static ProductmdImages parse(JsonNode root) {
        if (root == null || !root.isObject()) {
            throw invalid("images.json is not a JSON object");
        }
        JsonNode header = root.path("header");
        if (!"productmd.images".equals(header.path("type").asText(null))) {
            throw invalid("images.json header.type is not productmd.images");
        }
        String version = header.path("version").asText("");
        if (!version.startsWith("1.")) {
            throw invalid("unsupported productmd.images version '" + version + "'");
        }
        JsonNode payload = root.path("payload");
        JsonNode compose = payload.path("compose");
        String composeId = compose.path("id").asText(null);
        if (composeId == null) {
            throw invalid("images.json has no payload.compose.id");
        }
        JsonNode variants = payload.path("images");
        if (!variants.isObject()) {
            throw invalid("images.json has no payload.images object");
        }
        List<ComposeImage> images = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> v = variants.fields(); v.hasNext();) {
            Map.Entry<String, JsonNode> variant = v.next();
            if (!variant.getValue().isObject()) {
                throw invalid("payload.images." + variant.getKey() + " is not an object");
            }
            for (Iterator<Map.Entry<String, JsonNode>> a = variant.getValue().fields(); a.hasNext();) {
                Map.Entry<String, JsonNode> arch = a.next();
                if (!arch.getValue().isArray()) {
                    throw invalid("payload.images." + variant.getKey() + "." + arch.getKey() + " is not a list");
                }
                for (JsonNode image : arch.getValue()) {
                    images.add(image(variant.getKey(), arch.getKey(), image));
                }
            }
        }
        return new ProductmdImages(composeId, compose.path("type").asText(null), compose.path("date").asText(null),
                List.copyOf(images));
    }

    private static ComposeImage image(String variant, String arch, JsonNode image) {
        String where = "payload.images." + variant + "." + arch;
        String path = image.path("path").asText(null);
        if (path == null || path.isBlank()) {
            throw invalid(where + ": an image has no path");
        }
        JsonNode size = image.path("size");
        return new ComposeImage(variant, image.path("arch").asText(arch), image.path("subvariant").asText(""),
                image.path("type").asText(""), image.path("format").asText(""), path,
                image.path("checksums").path("sha256").asText(null),
                size.canConvertToLong() ? size.asLong() : -1);
    }

    private static BadInputException invalid(String message) {
        return new BadInputException(DeadLetterReason.METADATA_INVALID, message);
    }
}
