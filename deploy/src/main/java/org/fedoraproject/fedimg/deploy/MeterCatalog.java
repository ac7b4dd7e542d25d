package org.fedoraproject.fedimg.deploy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import com.github.javaparser.ast.CompilationUnit;
import com.github.javaparser.ast.Node;
import com.github.javaparser.ast.body.FieldDeclaration;
import com.github.javaparser.ast.body.VariableDeclarator;
import com.github.javaparser.ast.expr.AnnotationExpr;
import com.github.javaparser.ast.expr.BinaryExpr;
import com.github.javaparser.ast.expr.EnclosedExpr;
import com.github.javaparser.ast.expr.Expression;
import com.github.javaparser.ast.expr.FieldAccessExpr;
import com.github.javaparser.ast.expr.MethodCallExpr;
import com.github.javaparser.ast.expr.NameExpr;
import com.github.javaparser.ast.expr.NormalAnnotationExpr;
import com.github.javaparser.ast.expr.SingleMemberAnnotationExpr;
import com.github.javaparser.ast.expr.StringLiteralExpr;

/**
 * The Micrometer meters a service's sources register, and the Prometheus series each one becomes. Reads
 * {@code registry.counter/timer/summary/gauge(...)}, the {@code Counter/Timer/DistributionSummary/Gauge/...
 * .builder(name)} chains (with their {@code baseUnit} and histogram settings) and {@code @Counted/@Timed}.
 * Names may be literals, constants or concatenations of both; a name that cannot be resolved is listed
 * in {@link Catalog#unresolved()} rather than guessed.
 *
 * <p>The Prometheus rendering is Micrometer's {@code PrometheusNamingConvention}: dots become underscores,
 * counters end in {@code _total}, timers in {@code _seconds_count/_sum/_max} (and {@code _bucket} with a
 * histogram), summaries and gauges get their base unit appended.
 */
public final class MeterCatalog {

    public enum Type { COUNTER, TIMER, SUMMARY, GAUGE, LONG_TASK_TIMER, FUNCTION_COUNTER, TIME_GAUGE }

    public record Meter(String name, Type type, String baseUnit, boolean histogram, String file) {

        /** The series names this meter is scraped as. */
        public Set<String> prometheusNames() {
            String base = name.replace('.', '_').replace('-', '_');
            Set<String> out = new LinkedHashSet<>();
            switch (type) {
                case COUNTER, FUNCTION_COUNTER -> {
                    String b = withUnit(base, baseUnit);
                    out.add(b.endsWith("_total") ? b : b + "_total");
                }
                case GAUGE -> out.add(withUnit(base, baseUnit));
                case TIME_GAUGE -> out.add(withUnit(base, "seconds"));
                case TIMER, SUMMARY -> {
                    String b = withUnit(base, type == Type.TIMER ? "seconds" : baseUnit);
                    out.add(b + "_count");
                    out.add(b + "_sum");
                    out.add(b + "_max");
                    if (histogram) {
                        out.add(b + "_bucket");
                    }
                }
                case LONG_TASK_TIMER -> {
                    String b = withUnit(base, "seconds");
                    out.add(b + "_active_count");
                    out.add(b + "_duration_sum");
                    out.add(b + "_max");
                    if (histogram) {
                        out.add(b + "_bucket");
                    }
                }
            }
            return out;
        }

        private static String withUnit(String base, String unit) {
            if (unit == null || unit.isBlank()) {
                return base;
            }
            String u = unit.replace('.', '_');
            return base.endsWith("_" + u) ? base : base + "_" + u;
        }
    }

    public record Catalog(List<Meter> meters, List<String> unresolved) {

        public Set<String> prometheusNames() {
            Set<String> out = new TreeSet<>();
            meters.forEach(m -> out.addAll(m.prometheusNames()));
            return out;
        }
    }

    private static final Map<String, Type> REGISTRY_METHODS = Map.of(
            "counter", Type.COUNTER, "timer", Type.TIMER, "summary", Type.SUMMARY, "gauge", Type.GAUGE,
            "gaugeCollectionSize", Type.GAUGE, "gaugeMapSize", Type.GAUGE);
    private static final Map<String, Type> BUILDERS = Map.of(
            "Counter", Type.COUNTER, "Timer", Type.TIMER, "DistributionSummary", Type.SUMMARY,
            "Gauge", Type.GAUGE, "MultiGauge", Type.GAUGE, "LongTaskTimer", Type.LONG_TASK_TIMER,
            "FunctionCounter", Type.FUNCTION_COUNTER, "FunctionTimer", Type.TIMER, "TimeGauge", Type.TIME_GAUGE);

    private MeterCatalog() {
    }

    /** Meters in the given source roots; string constants resolve across all of them. */
    public static Catalog scan(Path root, List<Path> sourceRoots) {
        List<CompilationUnit> units = new ArrayList<>();
        sourceRoots.forEach(r -> units.addAll(JavaSources.parse(r)));
        Map<String, Expression> constants = constants(units);
        List<Meter> meters = new ArrayList<>();
        List<String> unresolved = new ArrayList<>();
        for (CompilationUnit unit : units) {
            String file = unit.getStorage().map(s -> root.relativize(s.getPath()).toString()).orElse("?");
            for (MethodCallExpr call : unit.findAll(MethodCallExpr.class)) {
                Type type = null;
                boolean builder = false;
                if (call.getNameAsString().equals("builder") && call.getScope().isPresent()
                        && call.getScope().get() instanceof NameExpr scope) {
                    type = BUILDERS.get(scope.getNameAsString());
                    builder = true;
                } else if (REGISTRY_METHODS.containsKey(call.getNameAsString()) && call.getScope().isPresent()) {
                    type = REGISTRY_METHODS.get(call.getNameAsString());
                } else if (call.getNameAsString().equals("longTaskTimer") && call.getScope().isPresent()) {
                    type = Type.LONG_TASK_TIMER;
                }
                if (type == null || call.getArguments().isEmpty()) {
                    continue;
                }
                List<String> names = resolve(call.getArgument(0), constants).map(List::of)
                        .or(() -> throughParameter(call.getArgument(0), unit, constants)).orElse(List.of());
                if (names.isEmpty()) {
                    if (builder || looksLikeMeterName(call.getArgument(0))) {
                        unresolved.add(file + ": " + call);
                    }
                    continue;
                }
                String baseUnit = builder ? chainArgument(call, "baseUnit", constants).orElse(null) : null;
                boolean histogram = builder && (chainHas(call, "publishPercentileHistogram")
                        || chainHas(call, "serviceLevelObjectives") || chainHas(call, "sla"));
                for (String name : names) {
                    if (name.startsWith("fedimg.")) { // else not ours, or a helper taking a suffix
                        meters.add(new Meter(name, type, baseUnit, histogram, file));
                    }
                }
            }
            for (AnnotationExpr a : unit.findAll(AnnotationExpr.class)) {
                Type type = switch (a.getNameAsString()) {
                    case "Counted" -> Type.COUNTER;
                    case "Timed" -> Type.TIMER;
                    default -> null;
                };
                if (type == null) {
                    continue;
                }
                Optional<String> name = annotationValue(a, constants);
                boolean histogram = a instanceof NormalAnnotationExpr n && n.getPairs().stream()
                        .anyMatch(p -> p.getNameAsString().equals("histogram")
                                && p.getValue().toString().equals("true"));
                name.ifPresentOrElse(n -> meters.add(new Meter(n, type, null, histogram, file)),
                        () -> unresolved.add(file + ": " + a));
            }
        }
        return new Catalog(meters, unresolved);
    }

    /**
     * A name that is a parameter of a small helper ({@code counter(String name, ...)}): the literal arguments
     * of every call of that helper in the same file. Empty when any call passes something unresolvable.
     */
    private static Optional<List<String>> throughParameter(Expression e, CompilationUnit unit,
            Map<String, Expression> constants) {
        if (!(e instanceof NameExpr nameExpr)) {
            return Optional.empty();
        }
        Optional<com.github.javaparser.ast.body.MethodDeclaration> helper =
                e.findAncestor(com.github.javaparser.ast.body.MethodDeclaration.class);
        if (helper.isEmpty()) {
            return Optional.empty();
        }
        var params = helper.get().getParameters();
        int index = -1;
        for (int i = 0; i < params.size(); i++) {
            if (params.get(i).getNameAsString().equals(nameExpr.getNameAsString())) {
                index = i;
            }
        }
        if (index < 0) {
            return Optional.empty();
        }
        List<String> names = new ArrayList<>();
        for (MethodCallExpr use : unit.findAll(MethodCallExpr.class)) {
            if (use.getNameAsString().equals(helper.get().getNameAsString())
                    && use.getArguments().size() == params.size()) {
                Optional<String> n = resolve(use.getArgument(index), constants);
                if (n.isEmpty()) {
                    return Optional.empty();
                }
                names.add(n.get());
            }
        }
        return names.isEmpty() ? Optional.empty() : Optional.of(names);
    }

    private static boolean looksLikeMeterName(Expression e) {
        return e.toString().contains("fedimg") || e.toString().toUpperCase().contains("METER")
                || e.toString().toUpperCase().contains("NAME");
    }

    /** The method calls chained on a builder call: {@code X.builder(n).a().b()} → a, b. */
    private static List<MethodCallExpr> chain(MethodCallExpr start) {
        List<MethodCallExpr> out = new ArrayList<>();
        Node current = start;
        while (current.getParentNode().isPresent() && current.getParentNode().get() instanceof MethodCallExpr parent
                && parent.getScope().isPresent() && parent.getScope().get() == current) {
            out.add(parent);
            current = parent;
        }
        return out;
    }

    private static boolean chainHas(MethodCallExpr start, String method) {
        return chain(start).stream().anyMatch(c -> c.getNameAsString().equals(method));
    }

    private static Optional<String> chainArgument(MethodCallExpr start, String method, Map<String, Expression> constants) {
        return chain(start).stream().filter(c -> c.getNameAsString().equals(method) && c.getArguments().size() == 1)
                .findFirst().flatMap(c -> resolveUnit(c.getArgument(0), constants));
    }

    private static Optional<String> resolveUnit(Expression e, Map<String, Expression> constants) {
        // BaseUnits.BYTES and friends are the usual way to name a unit
        if (e instanceof FieldAccessExpr f && f.getScope().toString().equals("BaseUnits")) {
            return Optional.of(f.getNameAsString().toLowerCase());
        }
        return resolve(e, constants);
    }

    private static Optional<String> annotationValue(AnnotationExpr a, Map<String, Expression> constants) {
        if (a instanceof SingleMemberAnnotationExpr s) {
            return resolve(s.getMemberValue(), constants);
        }
        if (a instanceof NormalAnnotationExpr n) {
            return n.getPairs().stream().filter(p -> p.getNameAsString().equals("value")).findFirst()
                    .flatMap(p -> resolve(p.getValue(), constants));
        }
        return Optional.empty();
    }

    static Optional<String> resolve(Expression e, Map<String, Expression> constants) {
        return resolve(e, constants, 0);
    }

    private static Optional<String> resolve(Expression e, Map<String, Expression> constants, int depth) {
        if (depth > 10) {
            return Optional.empty();
        }
        if (e instanceof StringLiteralExpr s) {
            return Optional.of(s.asString());
        }
        if (e instanceof EnclosedExpr en) {
            return resolve(en.getInner(), constants, depth + 1);
        }
        if (e instanceof BinaryExpr b && b.getOperator() == BinaryExpr.Operator.PLUS) {
            Optional<String> l = resolve(b.getLeft(), constants, depth + 1);
            Optional<String> r = resolve(b.getRight(), constants, depth + 1);
            return l.isPresent() && r.isPresent() ? Optional.of(l.get() + r.get()) : Optional.empty();
        }
        String key = e instanceof NameExpr n ? n.getNameAsString()
                : e instanceof FieldAccessExpr f ? f.getScope() + "." + f.getNameAsString() : null;
        if (key != null) {
            // an unqualified name is first the enclosing class's own constant
            String owner = e.findAncestor(com.github.javaparser.ast.body.TypeDeclaration.class)
                    .map(t -> t.getNameAsString()).orElse("");
            Expression value = e instanceof NameExpr ? constants.get(owner + "." + key) : null;
            if (value == null) {
                value = constants.get(key);
            }
            if (value == null && e instanceof FieldAccessExpr f) {
                value = constants.get(f.getNameAsString());
            }
            if (value != null) {
                return resolve(value, constants, depth + 1);
            }
        }
        return Optional.empty();
    }

    /** static final String constants: by simple name and by {@code Class.NAME}. */
    private static Map<String, Expression> constants(List<CompilationUnit> units) {
        Map<String, Expression> out = new HashMap<>();
        for (CompilationUnit unit : units) {
            for (FieldDeclaration field : unit.findAll(FieldDeclaration.class)) {
                if (!field.isFinal() || !field.getElementType().asString().equals("String")) {
                    continue;
                }
                String owner = field.getParentNode()
                        .filter(p -> p instanceof com.github.javaparser.ast.nodeTypes.NodeWithSimpleName<?>)
                        .map(p -> ((com.github.javaparser.ast.nodeTypes.NodeWithSimpleName<?>) p).getNameAsString())
                        .orElse("");
                for (VariableDeclarator v : field.getVariables()) {
                    v.getInitializer().ifPresent(init -> {
                        out.putIfAbsent(v.getNameAsString(), init);
                        out.put(owner + "." + v.getNameAsString(), init);
                    });
                }
            }
        }
        return out;
    }
}
