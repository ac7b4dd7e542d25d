package org.fedoraproject.fedimg.cli.lifecycle;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeSet;

import org.fedoraproject.fedimg.lifecycle.domain.RetentionPolicy;
import org.fedoraproject.fedimg.lifecycle.domain.Stream;
import org.fedoraproject.fedimg.lifecycle.domain.Streams;

/**
 * The retention streams from a properties file with the replicator's keys ({@code fedimg.replicator.streams.*},
 * as in its application.properties or a ConfigMap), so the job and the replicator apply one policy. Without a
 * file, the replicator's defaults (bundled as {@code lifecycle-defaults.properties}).
 */
final class StreamsFile {

    static final String PREFIX = "fedimg.replicator.streams.";

    private StreamsFile() {
    }

    static Streams read(Optional<Path> file) throws IOException {
        Properties p = new Properties();
        if (file.isPresent()) {
            try (Reader r = Files.newBufferedReader(file.get())) {
                p.load(r);
            }
        } else {
            try (InputStream in = StreamsFile.class.getResourceAsStream("/lifecycle-defaults.properties")) {
                p.load(in);
            }
        }
        return parse(p);
    }

    static Streams parse(Properties p) {
        TreeSet<String> names = new TreeSet<>();
        for (String key : p.stringPropertyNames()) {
            if (key.startsWith(PREFIX) && key.indexOf('.', PREFIX.length()) > 0) {
                names.add(key.substring(PREFIX.length(), key.indexOf('.', PREFIX.length())));
            }
        }
        List<Stream> all = new ArrayList<>();
        for (String n : names) {
            String type = required(p, n, "compose-type");
            Optional<Boolean> demote = opt(p, n, "demote").map(Boolean::parseBoolean);
            all.add(new Stream(n, type, opt(p, n, "release"), new RetentionPolicy(
                    Integer.parseInt(opt(p, n, "keep-public").orElse("1")),
                    opt(p, n, "public-for").map(Duration::parse),
                    Duration.parse(opt(p, n, "private-after").orElse("P0D")),
                    opt(p, n, "disable-after").map(Duration::parse),
                    opt(p, n, "deregister-after").map(Duration::parse),
                    Duration.parse(opt(p, n, "unlaunched-for").orElse("P14D")),
                    demote.orElse(!"production".equalsIgnoreCase(type)))));
        }
        return new Streams(all);
    }

    private static Optional<String> opt(Properties p, String stream, String key) {
        return Optional.ofNullable(p.getProperty(PREFIX + stream + "." + key)).map(String::trim).filter(s -> !s.isEmpty());
    }

    private static String required(Properties p, String stream, String key) {
        return opt(p, stream, key).orElseThrow(() -> new IllegalArgumentException(PREFIX + stream + "." + key + " is required"));
    }
}
