package org.fedoraproject.fedimg.deploy;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/** Reading the deployment material: multi-document YAML, JSON, env files, kustomizations. */
public final class Material {

    public static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    public static final ObjectMapper JSON = new ObjectMapper();

    private Material() {
    }

    /**
     * Every document of a YAML file (empty documents skipped). SnakeYAML reads it, so anchors, aliases and
     * merge keys ({@code <<: *service} in compose.yaml) are resolved as compose and kubectl resolve them.
     */
    public static List<JsonNode> yamlDocuments(Path file) {
        List<JsonNode> docs = new ArrayList<>();
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        try (Reader r = Files.newBufferedReader(file)) {
            for (Object doc : new Yaml(new SafeConstructor(options)).loadAll(r)) {
                if (doc != null) {
                    docs.add(JSON.valueToTree(doc));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot parse " + file + ": " + e.getMessage(), e);
        }
        return docs;
    }

    public static JsonNode yaml(Path file) {
        List<JsonNode> docs = yamlDocuments(file);
        if (docs.size() != 1) {
            throw new IllegalStateException(file + " has " + docs.size() + " documents, expected one");
        }
        return docs.get(0);
    }

    public static JsonNode json(Path file) {
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot parse " + file, e);
        }
    }

    /** KEY=VALUE lines as kustomize's {@code envs} and compose's {@code env_file} read them. */
    public static Map<String, String> envFile(Path file) {
        Map<String, String> out = new LinkedHashMap<>();
        try {
            int n = 0;
            for (String line : Files.readAllLines(file)) {
                n++;
                String l = line.strip();
                if (l.isEmpty() || l.startsWith("#")) {
                    continue;
                }
                int eq = l.indexOf('=');
                if (eq <= 0) {
                    throw new IllegalStateException(file + ":" + n + ": not KEY=VALUE: " + line);
                }
                out.put(l.substring(0, eq), l.substring(eq + 1));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    public static Properties properties(Path file) {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file)) {
            p.load(r);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p;
    }

    /** Files under a directory with one of the suffixes, skipping build output. */
    public static List<Path> files(Path dir, String... suffixes) {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile)
                    .filter(p -> !dir.relativize(p).toString().startsWith("target")
                            && !dir.relativize(p).toString().startsWith("src"))
                    .filter(p -> Stream.of(suffixes).anyMatch(suf -> p.getFileName().toString().endsWith(suf)))
                    .sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A configMapGenerator entry of a kustomization, with the files it reads resolved. */
    public record Generator(Path kustomization, String name, List<Path> envs, Map<String, Path> files,
            Map<String, String> literals) {
    }

    public static List<Generator> configMapGenerators(Path kustomizationDir) {
        JsonNode k = yaml(kustomizationDir.resolve("kustomization.yaml"));
        List<Generator> out = new ArrayList<>();
        for (JsonNode g : k.path("configMapGenerator")) {
            List<Path> envs = new ArrayList<>();
            g.path("envs").forEach(e -> envs.add(kustomizationDir.resolve(e.asText())));
            Map<String, Path> files = new LinkedHashMap<>();
            g.path("files").forEach(f -> {
                String spec = f.asText();
                int eq = spec.indexOf('=');
                String key = eq < 0 ? Path.of(spec).getFileName().toString() : spec.substring(0, eq);
                files.put(key, kustomizationDir.resolve(eq < 0 ? spec : spec.substring(eq + 1)));
            });
            Map<String, String> literals = new LinkedHashMap<>();
            g.path("literals").forEach(l -> {
                String spec = l.asText();
                int eq = spec.indexOf('=');
                literals.put(spec.substring(0, eq), spec.substring(eq + 1));
            });
            out.add(new Generator(kustomizationDir, g.path("name").asText(), envs, files, literals));
        }
        return out;
    }

    /** The resources of kind {@code kind} in the files a kustomization lists (not following directories). */
    public static List<ObjectNode> resources(Path kustomizationDir, String kind) {
        List<ObjectNode> out = new ArrayList<>();
        for (JsonNode r : yaml(kustomizationDir.resolve("kustomization.yaml")).path("resources")) {
            Path p = kustomizationDir.resolve(r.asText());
            if (Files.isRegularFile(p)) {
                for (JsonNode doc : yamlDocuments(p)) {
                    if (kind.equals(doc.path("kind").asText())) {
                        out.add((ObjectNode) doc);
                    }
                }
            }
        }
        return out;
    }
}
