package org.fedoraproject.fedimg.cli.local;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Executors;

import org.fedoraproject.fedimg.messaging.EventJson;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.XZOutputStream;

import com.sun.net.httpserver.HttpServer;

/**
 * A compose on this machine: raw disk images compressed as {@code raw.xz}, a productmd
 * {@code metadata/images.json} describing them, served over HTTP the way kojipkgs serves real composes.
 */
public final class LocalCompose implements AutoCloseable {

    public static final List<String> ARCHES = List.of("x86_64", "aarch64");
    private static final int MIB = 1 << 20;

    private final String composeId;
    private final String release;
    private final Path dir;
    private final List<Image> images;
    private HttpServer server;

    public record Image(String arch, String path, String fileName, String sha256, long size) {
    }

    private LocalCompose(String composeId, String release, Path dir, List<Image> images) {
        this.composeId = composeId;
        this.release = release;
        this.dir = dir;
        this.images = images;
    }

    /**
     * Writes a compose with one EC2 image per arch. Each image is {@code imageMiB} of disk with a few
     * MiB of data spread over it and zeroed free space, like a freshly built cloud image.
     */
    public static LocalCompose generate(Path dir, String release, int imageMiB) {
        String date = LocalDate.now().format(DateTimeFormatter.BASIC_ISO_DATE);
        String composeId = "Fedora-Cloud-" + release + "-" + date + ".0";
        List<Image> images = new ArrayList<>();
        try {
            for (String arch : ARCHES) {
                String fileName = "Fedora-Cloud-Base-AmazonEC2-" + release + "-" + date + ".0." + arch + ".raw.xz";
                String path = "Cloud/" + arch + "/images/" + fileName;
                Path file = dir.resolve("compose").resolve(path);
                Files.createDirectories(file.getParent());
                // seeded by compose and arch: no two images of different composes share their bytes
                writeImage(file, imageMiB, (composeId + "/" + arch).hashCode());
                images.add(new Image(arch, path, fileName, sha256(file), Files.size(file)));
            }
            Path metadata = dir.resolve("compose/metadata/images.json");
            Files.createDirectories(metadata.getParent());
            Files.write(metadata, EventJson.MAPPER.writerWithDefaultPrettyPrinter()
                    .writeValueAsBytes(imagesJson(composeId, date, images)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new LocalCompose(composeId, release, dir, images);
    }

    public String composeId() {
        return composeId;
    }

    public String release() {
        return release;
    }

    public List<Image> images() {
        return images;
    }

    /** The compose location, as pungi puts it in its messages. */
    public String location() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/compose";
    }

    public LocalCompose serve() {
        try {
            // small replies (images.json, index ranges) without Nagle's ~40 ms wait, like a real web server
            System.getProperties().putIfAbsent("sun.net.httpserver.nodelay", "true");
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.createContext("/", exchange -> {
            Path file = dir.resolve(exchange.getRequestURI().getPath().substring(1)).normalize();
            if (!file.startsWith(dir) || !Files.isRegularFile(file)) {
                exchange.sendResponseHeaders(404, -1);
                exchange.close();
                return;
            }
            exchange.getResponseHeaders().set("Content-Type",
                    file.toString().endsWith(".json") ? "application/json" : "application/octet-stream");
            // byte ranges like a real mirror: the uploader reads the xz index first and resumes broken downloads
            long size = Files.size(file);
            long[] range = byteRange(exchange.getRequestHeaders().getFirst("Range"), size);
            exchange.getResponseHeaders().set("Accept-Ranges", "bytes");
            if (range == null) {
                exchange.sendResponseHeaders(200, size);
                range = new long[] {0, size - 1};
            } else if (range[0] >= size) {
                exchange.sendResponseHeaders(416, -1);
                exchange.close();
                return;
            } else {
                exchange.getResponseHeaders().set("Content-Range", "bytes " + range[0] + "-" + range[1] + "/" + size);
                exchange.sendResponseHeaders(206, range[1] - range[0] + 1);
            }
            try (java.nio.channels.FileChannel in = java.nio.channels.FileChannel.open(file);
                    OutputStream out = exchange.getResponseBody()) {
                in.transferTo(range[0], range[1] - range[0] + 1, java.nio.channels.Channels.newChannel(out));
            }
        });
        server.start();
        return this;
    }

    /** {first, last} of a single {@code bytes=} range (suffix and open ranges too), or null for the whole file. */
    static long[] byteRange(String header, long size) {
        if (header == null || !header.startsWith("bytes=") || header.contains(",")) {
            return null;
        }
        String spec = header.substring(6).trim();
        int dash = spec.indexOf('-');
        try {
            if (dash == 0) {
                return new long[] {Math.max(0, size - Long.parseLong(spec.substring(1))), size - 1};
            }
            long first = Long.parseLong(spec.substring(0, dash));
            long last = dash == spec.length() - 1 ? size - 1 : Math.min(size - 1, Long.parseLong(spec.substring(dash + 1)));
            return last < first && first < size ? null : new long[] {first, last};
        } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
            return null;
        }
    }

    /** The pungi message that announces this compose as finished (fedora-messaging body shape). */
    public Map<String, Object> finishedMessageBody() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("compose_id", composeId);
        body.put("compose_date", composeId.split("-")[3].substring(0, 8));
        body.put("compose_type", "production");
        body.put("compose_respin", 0);
        body.put("compose_label", null);
        body.put("location", location());
        body.put("release_short", "Fedora-Cloud");
        body.put("release_name", "Fedora-Cloud");
        body.put("release_version", release);
        body.put("release_type", "ga");
        body.put("release_is_layered", false);
        body.put("status", "FINISHED");
        return body;
    }

    @Override
    public void close() {
        if (server != null) {
            server.stop(0);
        }
    }

    private static Map<String, Object> imagesJson(String composeId, String date, List<Image> images) {
        Map<String, Object> byArch = new LinkedHashMap<>();
        for (Image image : images) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("arch", image.arch());
            entry.put("bootable", false);
            entry.put("checksums", Map.of("sha256", image.sha256()));
            entry.put("disc_count", 1);
            entry.put("disc_number", 1);
            entry.put("format", "raw.xz");
            entry.put("implant_md5", null);
            entry.put("mtime", System.currentTimeMillis() / 1000);
            entry.put("path", image.path());
            entry.put("size", image.size());
            entry.put("subvariant", "Cloud_Base");
            entry.put("type", "raw-xz");
            entry.put("volume_id", null);
            byArch.put(image.arch(), List.of(entry));
        }
        Map<String, Object> compose = new LinkedHashMap<>();
        compose.put("date", date);
        compose.put("id", composeId);
        compose.put("respin", 0);
        compose.put("type", "production");
        return Map.of(
                "header", Map.of("type", "productmd.images", "version", "1.2"),
                "payload", Map.of("compose", compose, "images", Map.of("Cloud", byArch)));
    }

    /** Data in a few extents (boot area, "files", the end of the disk); everything else stays zero. */
    private static void writeImage(Path file, int mib, long seed) throws IOException {
        SplittableRandom random = new SplittableRandom(seed);
        byte[] data = new byte[MIB];
        byte[] zeros = new byte[MIB];
        LZMA2Options options = new LZMA2Options(1);
        try (OutputStream out = new XZOutputStream(Files.newOutputStream(file), options)) {
            for (int i = 0; i < mib; i++) {
                boolean used = i < 2 || i % 7 == 3 || i == mib - 1;
                if (used) {
                    // half random (incompressible), half text-like (compressible), as real file systems are
                    random.nextBytes(data);
                    for (int j = MIB / 2; j < MIB; j++) {
                        data[j] = (byte) ('a' + (j % 26));
                    }
                    out.write(data);
                } else {
                    out.write(zeros);
                }
            }
        }
    }

    private static String sha256(Path file) throws IOException {
        try (DigestInputStream in = new DigestInputStream(Files.newInputStream(file),
                MessageDigest.getInstance("SHA-256"))) {
            in.transferTo(OutputStream.nullOutputStream());
            return HexFormat.of().formatHex(in.getMessageDigest().digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
