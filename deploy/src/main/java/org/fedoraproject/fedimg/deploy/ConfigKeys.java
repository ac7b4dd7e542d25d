package org.fedoraproject.fedimg.deploy;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.github.javaparser.ast.CompilationUnit;
import com.github.javaparser.ast.body.ClassOrInterfaceDeclaration;
import com.github.javaparser.ast.body.MethodDeclaration;
import com.github.javaparser.ast.body.TypeDeclaration;
import com.github.javaparser.ast.expr.AnnotationExpr;
import com.github.javaparser.ast.expr.Expression;
import com.github.javaparser.ast.expr.NormalAnnotationExpr;
import com.github.javaparser.ast.expr.SingleMemberAnnotationExpr;
import com.github.javaparser.ast.type.ClassOrInterfaceType;
import com.github.javaparser.ast.type.Type;

/**
 * The configuration keys a service understands: every key of its {@code application.properties} (profile
 * prefixes removed), the environment variables its values reference ({@code ${KAFKA_BOOTSTRAP_SERVERS:...}}),
 * and every key of the {@code @ConfigMapping} interfaces in its sources and in the shared modules it runs (such as
 * {@code fedimg.aws.*} of aws-support). Mapping keys follow SmallRye's rules: method names in kebab-case unless
 * {@code @WithName}, {@code @WithParentName} adds no segment, {@code Optional<T>} is T, a {@code Map<String, T>}
 * adds one free segment (the map key), a nested interface is a group of keys.
 *
 * <p>Keys with a map segment are kept as patterns ({@code fedimg.replicator.encrypted.kms-keys.*}).
 */
public final class ConfigKeys {

    private static final Pattern ENV_REFERENCE = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*)(?::[^}]*)?}");
    private static final Set<String> LEAF_WRAPPERS = Set.of("Optional", "OptionalInt", "OptionalLong",
            "OptionalDouble");

    private final Set<String> keys;
    private final Set<String> envReferences;

    private ConfigKeys(Set<String> keys, Set<String> envReferences) {
        this.keys = keys;
        this.envReferences = envReferences;
    }

    /** The keys of a service module, with the mappings of the shared modules it runs ({@code common}, {@code aws-support}). */
    public static ConfigKeys of(Path root, ServiceModule service) {
        Set<String> keys = new TreeSet<>();
        Set<String> env = new TreeSet<>();
        Path props = service.applicationProperties(root);
        if (Files.exists(props)) {
            Properties p = new Properties();
            try (Reader r = Files.newBufferedReader(props)) {
                p.load(r);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            for (String key : p.stringPropertyNames()) {
                keys.add(withoutProfile(key));
                Matcher m = ENV_REFERENCE.matcher(p.getProperty(key));
                while (m.find()) {
                    env.add(m.group(1));
                }
            }
        }
        for (Path sources : service.allSources(root)) {
            keys.addAll(mappingKeys(sources));
        }
        return new ConfigKeys(keys, env);
    }

    public Set<String> keys() {
        return keys;
    }

    public Set<String> envReferences() {
        return envReferences;
    }

    /** Whether a property key is one of ours; {@code *} segments of map keys match any one segment. */
    public boolean knows(String key) {
        String k = withoutProfile(key);
        return keys.stream().anyMatch(pattern -> keyPattern(pattern).matcher(k).matches());
    }

    /**
     * Whether an environment variable sets one of our keys, by SmallRye's rule (every character that is not
     * a letter or digit becomes {@code _}, upper case), or is referenced by a property value.
     */
    public boolean knowsEnv(String envName) {
        return envReferences.contains(envName)
                || keys.stream().anyMatch(pattern -> envPattern(pattern).matcher(envName).matches());
    }

    /** The key a variable sets, for messages: the first matching key pattern. */
    public Optional<String> keyForEnv(String envName) {
        return keys.stream().filter(pattern -> envPattern(pattern).matcher(envName).matches()).findFirst();
    }

    public static String envName(String key) {
        StringBuilder b = new StringBuilder();
        for (char c : key.toCharArray()) {
            b.append(Character.isLetterOrDigit(c) ? Character.toUpperCase(c) : '_');
        }
        return b.toString();
    }

    private static final Map<String, Pattern> KEY_PATTERNS = new java.util.concurrent.ConcurrentHashMap<>();
    private static final Map<String, Pattern> ENV_PATTERNS = new java.util.concurrent.ConcurrentHashMap<>();

    private static Pattern keyPattern(String key) {
        return KEY_PATTERNS.computeIfAbsent(key, ConfigKeys::compileKeyPattern);
    }

    private static Pattern envPattern(String key) {
        return ENV_PATTERNS.computeIfAbsent(key, ConfigKeys::compileEnvPattern);
    }

    private static Pattern compileKeyPattern(String key) {
        StringBuilder re = new StringBuilder();
        for (String part : key.split("\\*", -1)) {
            if (re.length() > 0 || key.startsWith("*")) {
                re.append("(?:\"[^\"]+\"|[^.]+)");
            }
            re.append(Pattern.quote(part));
        }
        return Pattern.compile(re.toString());
    }

    private static Pattern compileEnvPattern(String key) {
        StringBuilder re = new StringBuilder();
        String[] parts = key.split("\\*", -1);
        for (int i = 0; i < parts.length; i++) {
            if (i > 0) {
                re.append("[A-Z0-9_]+");
            }
            re.append(Pattern.quote(envName(parts[i])));
        }
        return Pattern.compile(re.toString());
    }

    static String withoutProfile(String key) {
        if (key.startsWith("%")) {
            int dot = key.indexOf('.');
            return dot < 0 ? key : key.substring(dot + 1);
        }
        return key;
    }

    /** Keys of every {@code @ConfigMapping} interface under a source root. */
    public static Set<String> mappingKeys(Path sourceRoot) {
        List<CompilationUnit> units = JavaSources.parse(sourceRoot);
        Map<String, ClassOrInterfaceDeclaration> interfaces = new java.util.HashMap<>();
        for (CompilationUnit unit : units) {
            unit.findAll(ClassOrInterfaceDeclaration.class).stream().filter(ClassOrInterfaceDeclaration::isInterface)
                    .forEach(i -> interfaces.putIfAbsent(i.getNameAsString(), i));
        }
        Set<String> keys = new LinkedHashSet<>();
        for (CompilationUnit unit : units) {
            for (ClassOrInterfaceDeclaration type : unit.findAll(ClassOrInterfaceDeclaration.class)) {
                Optional<String> prefix = type.getAnnotationByName("ConfigMapping")
                        .flatMap(a -> annotationMember(a, "prefix"));
                if (prefix.isPresent()) {
                    collect(type, prefix.get(), interfaces, keys, new ArrayList<>());
                }
            }
        }
        return keys;
    }

    private static void collect(TypeDeclaration<?> type, String prefix,
            Map<String, ClassOrInterfaceDeclaration> interfaces, Set<String> out, List<String> path) {
        if (path.contains(type.getNameAsString())) {
            return; // recursive group: not used by us, and SmallRye would reject it anyway
        }
        path.add(type.getNameAsString());
        if (type instanceof ClassOrInterfaceDeclaration decl) {
            for (ClassOrInterfaceType parent : decl.getExtendedTypes()) {
                ClassOrInterfaceDeclaration p = interfaces.get(parent.getNameAsString());
                if (p != null) {
                    collect(p, prefix, interfaces, out, path);
                }
            }
        }
        for (MethodDeclaration m : type.getMethods()) {
            if (m.isStatic() || m.isDefault() || m.getParameters().isNonEmpty() || m.getType().isVoidType()) {
                continue;
            }
            String key = prefix;
            if (m.getAnnotationByName("WithParentName").isEmpty()) {
                String segment = m.getAnnotationByName("WithName").flatMap(a -> annotationMember(a, "value"))
                        .orElse(kebab(m.getNameAsString()));
                key = prefix.isEmpty() ? segment : prefix + "." + segment;
            }
            addKeys(m.getType(), key, interfaces, out, path);
        }
        path.remove(path.size() - 1);
    }

    private static void addKeys(Type type, String key, Map<String, ClassOrInterfaceDeclaration> interfaces,
            Set<String> out, List<String> path) {
        if (type instanceof ClassOrInterfaceType t) {
            String name = t.getNameAsString();
            List<Type> args = t.getTypeArguments().map(List::copyOf).orElse(List.of());
            if (LEAF_WRAPPERS.contains(name) && args.size() == 1) {
                addKeys(args.get(0), key, interfaces, out, path);
                return;
            }
            if (name.equals("Map") && args.size() == 2) {
                addKeys(args.get(1), key + ".*", interfaces, out, path);
                return;
            }
            if ((name.equals("List") || name.equals("Set")) && args.size() == 1
                    && args.get(0) instanceof ClassOrInterfaceType element
                    && interfaces.containsKey(element.getNameAsString())) {
                // a list of groups: key[0].field, key[1].field, ...
                collect(interfaces.get(element.getNameAsString()), key + "[*]", interfaces, out, path);
                return;
            }
            ClassOrInterfaceDeclaration group = interfaces.get(name);
            if (group != null) {
                collect(group, key, interfaces, out, path);
                return;
            }
        }
        out.add(key);
    }

    private static Optional<String> annotationMember(AnnotationExpr a, String member) {
        Expression value = null;
        if (a instanceof SingleMemberAnnotationExpr s && member.equals("value")) {
            value = s.getMemberValue();
        } else if (a instanceof NormalAnnotationExpr n) {
            value = n.getPairs().stream().filter(p -> p.getNameAsString().equals(member)).map(p -> p.getValue())
                    .findFirst().orElse(null);
        }
        return value != null && value.isStringLiteralExpr()
                ? Optional.of(value.asStringLiteralExpr().asString()) : Optional.empty();
    }

    /** SmallRye's default naming: {@code baseRegion} → {@code base-region}, {@code apiURL} → {@code api-url}. */
    public static String kebab(String name) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (Character.isUpperCase(c)) {
                boolean prevLowerOrDigit = i > 0 && (Character.isLowerCase(name.charAt(i - 1))
                        || Character.isDigit(name.charAt(i - 1)));
                boolean acronymEnd = i > 0 && Character.isUpperCase(name.charAt(i - 1)) && i + 1 < name.length()
                        && Character.isLowerCase(name.charAt(i + 1));
                if (prevLowerOrDigit || acronymEnd) {
                    b.append('-');
                }
                b.append(Character.toLowerCase(c));
            } else {
                b.append(c);
            }
        }
        return b.toString().toLowerCase(Locale.ROOT);
    }
}
