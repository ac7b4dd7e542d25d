package org.fedoraproject.fedimg.deploy;

import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;

/**
 * Finds the metric names a PromQL expression selects. A small tokenizer rather than a full parser: it knows
 * enough of the grammar (functions, aggregations with by/without, vector matching, label matchers, range
 * and subquery brackets, offsets, strings, numbers, durations and Grafana's {@code $variables}) to tell a
 * metric name from every other identifier. {@code {__name__="x"}} selectors count too.
 */
public final class PromQl {

    private static final Set<String> KEYWORDS = Set.of(
            "by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and", "or", "unless",
            "offset", "atan2", "inf", "nan", "start", "end");
    /** Keywords followed by a parenthesised list of label names. */
    private static final Set<String> LABEL_LIST_KEYWORDS = Set.of(
            "by", "without", "on", "ignoring", "group_left", "group_right");
    private static final Set<String> AGGREGATIONS = Set.of(
            "sum", "avg", "count", "min", "max", "group", "stddev", "stdvar", "topk", "bottomk", "quantile",
            "count_values", "limitk", "limit_ratio");

    private PromQl() {
    }

    /** Metric names in the expression, in order of appearance. */
    public static Set<String> metricNames(String expr) {
        Set<String> names = new LinkedHashSet<>();
        String s = expr;
        int i = 0;
        int n = s.length();
        while (i < n) {
            char c = s.charAt(i);
            if (c == '"' || c == '\'' || c == '`') {
                i = skipString(s, i);
            } else if (c == '#') { // comment to end of line
                while (i < n && s.charAt(i) != '\n') {
                    i++;
                }
            } else if (c == '{') {
                int end = matching(s, i, '{', '}');
                String name = nameMatcher(s.substring(i + 1, end));
                if (name != null) {
                    names.add(name);
                }
                i = end + 1;
            } else if (c == '[') {
                i = matching(s, i, '[', ']') + 1; // range, subquery step: durations and variables only
            } else if (c == '$') {
                i = skipVariable(s, i);
            } else if (Character.isDigit(c) || (c == '.' && i + 1 < n && Character.isDigit(s.charAt(i + 1)))) {
                i = skipNumberOrDuration(s, i);
            } else if (isIdentStart(c)) {
                int start = i;
                while (i < n && isIdentPart(s.charAt(i))) {
                    i++;
                }
                String word = s.substring(start, i);
                String lower = word.toLowerCase(Locale.ROOT);
                int next = skipSpaces(s, i);
                boolean callFollows = next < n && s.charAt(next) == '(';
                if (LABEL_LIST_KEYWORDS.contains(lower)) {
                    if (callFollows) {
                        i = matching(s, next, '(', ')') + 1;
                    }
                } else if (lower.equals("offset")) {
                    i = skipSpaces(s, i);
                    if (i < n && s.charAt(i) == '-') {
                        i++;
                    }
                    i = i < n && s.charAt(i) == '$' ? skipVariable(s, i) : skipNumberOrDuration(s, i);
                } else if (KEYWORDS.contains(lower)) {
                    // operator or modifier keyword: nothing to record
                } else if (callFollows) {
                    // a function or an aggregation: its arguments are scanned as the loop goes on
                } else if (AGGREGATIONS.contains(lower) && followedByKeyword(s, next)) {
                    // "sum by (x) (...)": the by clause is skipped on the next turn
                } else {
                    names.add(word);
                }
            } else {
                i++;
            }
        }
        return names;
    }

    private static boolean followedByKeyword(String s, int at) {
        int j = at;
        while (j < s.length() && isIdentPart(s.charAt(j))) {
            j++;
        }
        String word = s.substring(at, j).toLowerCase(Locale.ROOT);
        return word.equals("by") || word.equals("without");
    }

    /** The name in {@code __name__="x"} (or =~ with a plain name), if the matcher list has one. */
    private static String nameMatcher(String matchers) {
        var m = java.util.regex.Pattern.compile("__name__\\s*=~?\\s*[\"'`]([a-zA-Z_:][a-zA-Z0-9_:]*)[\"'`]")
                .matcher(matchers);
        return m.find() ? m.group(1) : null;
    }

    private static int skipString(String s, int i) {
        char quote = s.charAt(i);
        int j = i + 1;
        while (j < s.length() && s.charAt(j) != quote) {
            if (s.charAt(j) == '\\' && quote != '`') {
                j++;
            }
            j++;
        }
        return j + 1;
    }

    private static int matching(String s, int open, char o, char c) {
        int depth = 0;
        for (int j = open; j < s.length(); j++) {
            char ch = s.charAt(j);
            if (ch == '"' || ch == '\'' || ch == '`') {
                j = skipString(s, j) - 1;
            } else if (ch == o) {
                depth++;
            } else if (ch == c && --depth == 0) {
                return j;
            }
        }
        throw new IllegalArgumentException("unbalanced '" + o + "' at " + open + " in: " + s);
    }

    private static int skipVariable(String s, int i) {
        int j = i + 1;
        if (j < s.length() && s.charAt(j) == '{') {
            return s.indexOf('}', j) + 1;
        }
        while (j < s.length() && isIdentPart(s.charAt(j))) {
            j++;
        }
        return j;
    }

    private static int skipNumberOrDuration(String s, int i) {
        int j = i;
        while (j < s.length() && (Character.isLetterOrDigit(s.charAt(j)) || s.charAt(j) == '.'
                || ((s.charAt(j) == '+' || s.charAt(j) == '-') && j > 0
                        && (s.charAt(j - 1) == 'e' || s.charAt(j - 1) == 'E')))) {
            j++;
        }
        return j;
    }

    private static int skipSpaces(String s, int i) {
        int j = i;
        while (j < s.length() && Character.isWhitespace(s.charAt(j))) {
            j++;
        }
        return j;
    }

    private static boolean isIdentStart(char c) {
        return Character.isLetter(c) || c == '_' || c == ':';
    }

    private static boolean isIdentPart(char c) {
        return Character.isLetterOrDigit(c) || c == '_' || c == ':';
    }
}
