package org.fedoraproject.fedimg.cli.local;

import java.io.IOException;
import java.io.InputStream;
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
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.function.Consumer;

import org.fedoraproject.fedimg.emulator.vm.TestImages;
import org.fedoraproject.fedimg.messaging.EventJson;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.XZOutputStream;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;

/**
 * A compose on this machine, served over HTTP the way kojipkgs serves real composes: either generated here
 * (raw disk images compressed as {@code raw.xz} and a productmd {@code metadata/images.json} describing them; the
 * whole directory it was generated in is served, so tests can put more files beside it) or a compose directory
 * given by the user, of which only the compose directory itself (the one holding {@code metadata/}) is served.
 * Either way the compose is at {@code /compose}.
 */
public final class LocalCompose implements ComposeSource {

    public static final List<String> ARCHES = List.of("x86_64", "aarch64");
    private static final int MIB = 1 << 20;

    private final ComposeMetadata metadata;
    private final Path composeDir;
    private final List<Image> images;
    private final boolean generated;
    /** What the server serves, at {@link #servedPath}. */
    private final Path served;
    private final String servedPath;
    private HttpServer server;

    public record Image(String arch, String path, String fileName, String sha256, long size) {
    }

    private LocalCompose(ComposeMetadata metadata, Path composeDir, List<Image> images, boolean generated) {
        this.metadata = metadata;
        this.composeDir = composeDir;
        this.images = images;
        this.generated = generated;
        this.served = generated ? composeDir.getParent() : composeDir;
        this.servedPath = generated ? "/" : "/compose/";
    }

    /**
     * Writes a compose with one EC2 image per arch into {@code dir/compose}. Each image is {@code imageMiB} of
     * disk with a few MiB of data spread over it and zeroed free space, like a freshly built cloud image.
     */
    public static LocalCompose generate(Path dir, String release, int imageMiB) {
        // a nightly: its stream keeps the newest public and lets the replicator demote the older ones, so run after
        // run stays within AWS's default public AMI quota of 5 (a generated "release" would never be demoted)
        return generate(dir, release, imageMiB, LocalDate.now().format(DateTimeFormatter.BASIC_ISO_DATE), "nightly",
                ARCHES);
    }

    /**
     * A compose of this date and type ({@code nightly}: id {@code ….n.0}, {@code production}: {@code ….0}) with one
     * image per arch of {@code arches}: a series of composes (the simulated year's whole-pipeline part).
     */
    public static LocalCompose generate(Path dir, String release, int imageMiB, String date, String type,
            List<String> arches) {
        String composeId = "Fedora-Cloud-" + release + "-" + date + ("nightly".equals(type) ? ".n.0"
                : "test".equals(type) ? ".t.0" : ".0");
        Path composeDir = dir.toAbsolutePath().normalize().resolve("compose");
        List<Image> images = new ArrayList<>();
        try {
            for (String arch : arches) {
                String fileName = "Fedora-Cloud-Base-AmazonEC2-" + release + "-" + date + ".0." + arch + ".raw.xz";
                String path = "Cloud/" + arch + "/images/" + fileName;
                Path file = composeDir.resolve(path);
                Files.createDirectories(file.getParent());
                // seeded by compose and arch: no two images of different composes share their bytes
                writeImage(file, imageMiB, (composeId + "/" + arch).hashCode());
                images.add(new Image(arch, path, fileName, sha256(file), Files.size(file)));
            }
            Path metadata = composeDir.resolve("metadata/images.json");
            Files.createDirectories(metadata.getParent());
            Files.write(metadata, EventJson.MAPPER.writerWithDefaultPrettyPrinter()
                    .writeValueAsBytes(imagesJson(composeId, date, images, type)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new LocalCompose(new ComposeMetadata(composeId, date, type, 0, "Fedora-Cloud", release),
                composeDir, images, true);
    }

    /** The project's bootable test image of each architecture a bootable compose lists (test-images/build.sh). */
    public static final Map<String, String> BOOTABLE_TEST_IMAGES = Map.of("x86_64", "x86_64-hybrid", "aarch64",
            "aarch64-uefi");

    /**
     * The bootable test images, xz-compressed, by architecture (built, or reused from the cache, by
     * test-images/build.sh): empty, with the reason given to {@code why}, when one cannot be had here.
     */
    public static Map<String, Path> bootableTestImages(Consumer<String> why) {
        Map<String, Path> images = new TreeMap<>();
        for (Map.Entry<String, String> e : BOOTABLE_TEST_IMAGES.entrySet()) {
            String[] reason = {""};
            Optional<Path> xz = TestImages.compressed(e.getValue(),
                    r -> reason[0] = r);
            if (xz.isEmpty()) {
                why.accept("no bootable " + e.getKey() + " image: " + reason[0]);
                return Map.of();
            }
            images.put(e.getKey(), xz.get());
        }
        return images;
    }

    /**
     * Writes a compose whose EC2 images are bootable disks ({@code disk.raw.xz} per arch, from test-images/build.sh)
     * into {@code dir/compose}, listed with their real sizes and checksums: what the pipeline publishes boots.
     */
    public static LocalCompose generateBootable(Path dir, String release, Map<String, Path> xzByArch) {
        String date = LocalDate.now().format(DateTimeFormatter.BASIC_ISO_DATE);
        String composeId = "Fedora-Cloud-" + release + "-" + date + ".0";
        Path composeDir = dir.toAbsolutePath().normalize().resolve("compose");
        List<Image> images = new ArrayList<>();
        try {
            for (Map.Entry<String, Path> e : xzByArch.entrySet()) {
                String arch = e.getKey();
                String fileName = "Fedora-Cloud-Base-AmazonEC2-" + release + "-" + date + ".0." + arch + ".raw.xz";
                String path = "Cloud/" + arch + "/images/" + fileName;
                Path file = composeDir.resolve(path);
                Files.createDirectories(file.getParent());
                Files.copy(e.getValue(), file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                images.add(new Image(arch, path, fileName, sha256(file), Files.size(file)));
            }
            Path metadata = composeDir.resolve("metadata/images.json");
            Files.createDirectories(metadata.getParent());
            Files.write(metadata, EventJson.MAPPER.writerWithDefaultPrettyPrinter()
                    .writeValueAsBytes(imagesJson(composeId, date, images, "nightly")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new LocalCompose(new ComposeMetadata(composeId, date, "production", 0, "Fedora-Cloud", release),
                composeDir, images, true);
    }

    /**
     * A compose directory on this machine: {@code dir} holds {@code compose/metadata/images.json} (a pungi
     * compose's top directory) or {@code metadata/images.json} (its {@code compose} directory).
     */
    public static LocalCompose open(Path dir) {
        Path composeDir = Files.isRegularFile(dir.resolve("metadata/images.json")) ? dir : dir.resolve("compose");
        Path imagesJson = composeDir.resolve("metadata/images.json");
        if (!Files.isRegularFile(imagesJson)) {
            throw new IllegalArgumentException(dir + " is no compose: neither " + imagesJson + " nor "
                    + dir.resolve("metadata/images.json") + " exists");
        }
        try {
            Path composeInfo = composeDir.resolve("metadata/composeinfo.json");
            byte[] images = Files.readAllBytes(imagesJson);
            return new LocalCompose(ComposeMetadata.parse(images,
                    Files.isRegularFile(composeInfo) ? Files.readAllBytes(composeInfo) : null),
                    composeDir.toAbsolutePath().normalize(), listedImages(images), false);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String composeId() {
        return metadata.composeId();
    }

    public String release() {
        return metadata.release();
    }

    /** The images the compose's images.json lists (every variant and type). */
    public List<Image> images() {
        return images;
    }

    @Override
    public ComposeMetadata metadata() {
        return metadata;
    }

    @Override
    public String describe() {
        return (generated ? "generated in " : "directory ") + composeDir + ", served at " + location();
    }

    @Override
    public Optional<InputStream> read(String path) throws IOException {
        Path file = composeDir.resolve(path).normalize();
        return file.startsWith(composeDir) && Files.isRegularFile(file) ? Optional.of(Files.newInputStream(file))
                : Optional.empty();
    }

    /** The compose location, as pungi puts it in its messages. */
    @Override
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
        server.createContext(servedPath, exchange -> {
            Path file = served.resolve(exchange.getRequestURI().getPath().substring(servedPath.length())).normalize();
            if (!file.startsWith(served) || !Files.isRegularFile(file)) {
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

    @Override
    public void close() {
        if (server != null) {
            server.stop(0);
        }
    }

    private static List<Image> listedImages(byte[] imagesJson) throws IOException {
        List<Image> listed = new ArrayList<>();
        for (JsonNode byArch : EventJson.MAPPER.readTree(imagesJson).at("/payload/images")) {
            for (JsonNode ofArch : byArch) {
                for (JsonNode image : ofArch) {
                    String path = image.path("path").asText();
                    listed.add(new Image(image.path("arch").asText(), path, path.substring(path.lastIndexOf('/') + 1),
                            image.at("/checksums/sha256").asText(null), image.path("size").asLong(-1)));
                }
            }
        }
        return listed;
    }

    private static Map<String, Object> imagesJson(String composeId, String date, List<Image> images, String type) {
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
        compose.put("type", type);
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
