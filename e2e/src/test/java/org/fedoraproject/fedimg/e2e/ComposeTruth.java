package org.fedoraproject.fedimg.e2e;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.fedoraproject.fedimg.messaging.EventJson;
import org.tukaani.xz.XZInputStream;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What a compose really holds, read the way the pipeline reads it (over HTTP from its location) and never from
 * fedimg's events or tags: every image its {@code metadata/images.json} lists, the SHA-256 it lists, the SHA-256
 * of the bytes actually served, and the decompressed image with its SHA-256 and the digests of its non-zero
 * 512 KiB blocks (the EBS block size), which is what a snapshot made from it must hold.
 */
final class ComposeTruth {

    static final int BLOCK = 512 * 1024;
    /** Decompressed images larger than this are not read (the e2e composes are a few MiB). */
    private static final long MAX_RAW_BYTES = 256L << 20;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    /**
     * One image of a compose.
     *
     * @param key          {@code <compose id>/<file name>}, the image key as docs/events.md defines it
     * @param listedSha256 the SHA-256 images.json gives for the compressed file
     * @param fileSha256   the SHA-256 of the compressed file as served
     * @param rawSha256    the SHA-256 of the decompressed image; null if it does not decompress
     * @param rawBlocks    index to SHA-256 of every non-zero 512 KiB block of the decompressed image (the last one
     *                     padded with zeros); empty if it does not decompress
     */
    record Image(String composeId, String key, String fileName, String arch, String listedSha256, long listedSize,
            String fileSha256, long fileSize, String rawSha256, long rawSize, Map<Integer, String> rawBlocks) {

        /** The file name without {@code .raw.xz}: the image_name of the bus messages. */
        String name() {
            return fileName.replace(".raw.xz", "");
        }

        /** The compose's checksum and size match the bytes served. */
        boolean listingMatchesBytes() {
            return listedSha256 != null && listedSha256.equalsIgnoreCase(fileSha256) && listedSize == fileSize;
        }
    }

    private ComposeTruth() {
    }

    /** Every image of the compose at {@code location} (as pungi's messages give it), in images.json order. */
    static List<Image> read(String location) {
        JsonNode metadata;
        try {
            metadata = EventJson.MAPPER.readTree(get(location + "/metadata/images.json"));
        } catch (IOException e) {
            throw new UncheckedIOException(location + "/metadata/images.json", e);
        }
        String composeId = metadata.path("payload").path("compose").path("id").asText();
        List<Image> images = new ArrayList<>();
        for (JsonNode variant : metadata.path("payload").path("images")) {
            for (JsonNode perArch : variant) {
                for (JsonNode entry : perArch) {
                    images.add(image(location, composeId, entry));
                }
            }
        }
        return images;
    }

    static List<Image> readAll(Collection<String> locations) {
        return locations.stream().flatMap(l -> read(l).stream()).toList();
    }

    private static Image image(String location, String composeId, JsonNode entry) {
        String path = entry.path("path").asText();
        String fileName = path.substring(path.lastIndexOf('/') + 1);
        byte[] file = get(location + "/" + path);
        byte[] raw = decompress(file);
        return new Image(composeId, composeId + "/" + fileName, fileName, entry.path("arch").asText(),
                entry.path("checksums").path("sha256").asText(null), entry.path("size").asLong(-1),
                sha256(file, file.length), file.length, raw == null ? null : sha256(raw, raw.length),
                raw == null ? -1 : raw.length, raw == null ? Map.of() : nonZeroBlocks(raw));
    }

    /** Index to SHA-256 of every 512 KiB block of {@code data} that is not all zeros (the last one zero-padded). */
    static Map<Integer, String> nonZeroBlocks(byte[] data) {
        Map<Integer, String> blocks = new TreeMap<>();
        byte[] block = new byte[BLOCK];
        for (int i = 0; (long) i * BLOCK < data.length; i++) {
            int from = i * BLOCK;
            int len = Math.min(BLOCK, data.length - from);
            Arrays.fill(block, (byte) 0);
            System.arraycopy(data, from, block, 0, len);
            if (!isZero(block)) {
                blocks.put(i, sha256(block, BLOCK));
            }
        }
        return blocks;
    }

    static boolean isZero(byte[] block) {
        for (byte b : block) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    static String sha256(byte[] data, int length) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(data, 0, length);
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] decompress(byte[] xz) {
        try (XZInputStream in = new XZInputStream(new ByteArrayInputStream(xz))) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0;) {
                out.write(buf, 0, n);
                if (out.size() > MAX_RAW_BYTES) {
                    return null;
                }
            }
            return out.toByteArray();
        } catch (IOException e) {
            return null; // not xz, truncated or corrupt: no image a snapshot could hold
        }
    }

    private static byte[] get(String url) {
        try {
            HttpResponse<byte[]> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            if (r.statusCode() != 200) {
                throw new IllegalStateException(url + " answered " + r.statusCode());
            }
            return r.body();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
