package org.fedoraproject.fedimg.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

import com.github.javaparser.JavaParser;
import com.github.javaparser.ParseResult;
import com.github.javaparser.ParserConfiguration;
import com.github.javaparser.ast.CompilationUnit;

/** Parsed Java sources of a source tree, cached: several checks read the same modules. */
public final class JavaSources {

    private static final Map<Path, List<CompilationUnit>> CACHE = new ConcurrentHashMap<>();

    private JavaSources() {
    }

    public static List<CompilationUnit> parse(Path sourceRoot) {
        return CACHE.computeIfAbsent(sourceRoot.toAbsolutePath().normalize(), JavaSources::parseAll);
    }

    private static List<CompilationUnit> parseAll(Path root) {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        JavaParser parser = new JavaParser(new ParserConfiguration()
                .setLanguageLevel(ParserConfiguration.LanguageLevel.JAVA_17));
        List<CompilationUnit> units = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
                ParseResult<CompilationUnit> result = parser.parse(file);
                if (!result.isSuccessful() || result.getResult().isEmpty()) {
                    throw new IllegalStateException("cannot parse " + file + ": " + result.getProblems());
                }
                CompilationUnit unit = result.getResult().get();
                unit.setStorage(file);
                units.add(unit);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return units;
    }
}
